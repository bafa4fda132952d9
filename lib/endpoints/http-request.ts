import type { ExecutionContext } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';

/** What is read of Node's `IncomingMessage` (Express's request is one; Fastify's wraps one). */
export interface RawRequest {
  headers: IncomingHttpHeaders;
  rawHeaders?: string[];
  url?: string;
  /** Express: the URL before routers stripped their mount paths. */
  originalUrl?: string;
  /** The connection it came on. */
  socket?: object | null;
}

function isRawRequest(value: unknown): value is RawRequest {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { headers?: unknown }).headers === 'object' &&
    (value as { headers?: unknown }).headers !== null
  );
}

/**
 * The Node request under a platform's request object: Fastify's `request.raw`, or Express's
 * request itself. Undefined for anything else (an RPC payload, a WebSocket client…).
 */
export function rawRequest(request: unknown): RawRequest | undefined {
  const raw = (request as { raw?: unknown } | null)?.raw;
  if (isRawRequest(raw)) return raw;
  return isRawRequest(request) ? request : undefined;
}

/** The error for use outside HTTP: the guard and decorators only know HTTP requests. */
export function httpOnlyError(what: string, contextType: string): Error {
  return new Error(
    `nestjs-google-oauth2: ${what} supports HTTP only (Express or Fastify); it was used in a ` +
      `"${contextType}" context. Check callers' credentials in that transport's own way.`,
  );
}

/** The HTTP request of the context; throws the HTTP-only error in any other context. */
export function httpRequestOf(context: ExecutionContext, what: string): RawRequest {
  const type = context.getType<string>();
  // The request is the first handler argument; `switchToHttp()` would build an object for it.
  const request = type === 'http' ? rawRequest(context.getArgByIndex(0)) : undefined;
  if (!request) throw httpOnlyError(what, type);
  return request;
}
