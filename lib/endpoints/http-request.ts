import type { ExecutionContext } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import type { BearerSources } from './bearer-token.js';

/** What is read of Node's `IncomingMessage` (Express's request is one; Fastify's wraps one). */
export interface RawRequest {
  headers: IncomingHttpHeaders;
  headersDistinct?: Record<string, string[] | undefined>;
  rawHeaders?: string[];
  url?: string;
  /** Express: the URL before routers stripped their mount paths. */
  originalUrl?: string;
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
  const request = type === 'http' ? rawRequest(context.switchToHttp().getRequest()) : undefined;
  if (!request) throw httpOnlyError(what, type);
  return request;
}

/** The request's `Authorization` headers (each one, duplicates kept) and `access_token` params. */
export function bearerSources(request: RawRequest): BearerSources {
  return { authorization: authorizationHeaders(request), queryTokens: queryTokens(request) };
}

function authorizationHeaders(request: RawRequest): string[] {
  // Node keeps only the first of duplicated Authorization headers in `headers`.
  const distinct = request.headersDistinct?.authorization;
  if (distinct) return distinct;
  if (request.rawHeaders) {
    const values: string[] = [];
    for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
      if (request.rawHeaders[i]!.toLowerCase() === 'authorization') {
        values.push(request.rawHeaders[i + 1]!);
      }
    }
    return values;
  }
  const value = request.headers.authorization;
  return value === undefined ? [] : [value];
}

function queryTokens(request: RawRequest): string[] {
  const url = request.originalUrl ?? request.url ?? '';
  const start = url.indexOf('?');
  if (start < 0) return [];
  const end = url.indexOf('#', start);
  return new URLSearchParams(url.slice(start + 1, end < 0 ? undefined : end)).getAll(
    'access_token',
  );
}
