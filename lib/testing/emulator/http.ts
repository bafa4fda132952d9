import type { IncomingHttpHeaders } from 'node:http';

/** A request as the handlers see it: already read, nothing left to stream. */
export interface EmulatorRequest {
  method: string;
  /** Decoded-as-sent pathname, without the query. */
  pathname: string;
  /** Path with its query string, as sent. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What a handler answers. */
export interface EmulatorAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Headers Google's OAuth endpoints send so that no one caches a token answer. */
export const NO_STORE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cache-control': 'no-cache, no-store, max-age=0, must-revalidate',
  pragma: 'no-cache',
  expires: 'Mon, 01 Jan 1990 00:00:00 GMT',
});

export function jsonAnswer(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): EmulatorAnswer {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(value, null, 2),
  };
}

export function textAnswer(
  status: number,
  text: string,
  headers: Record<string, string> = {},
  contentType = 'text/plain; charset=utf-8',
): EmulatorAnswer {
  return { status, headers: { 'content-type': contentType, ...headers }, body: text };
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function header(request: EmulatorRequest, name: string): string | undefined {
  return headerValue(request.headers, name);
}

/** The token of an `Authorization: Bearer …` header (scheme case-insensitive), if any. */
export function bearerToken(request: EmulatorRequest): string | undefined {
  const authorization = header(request, 'authorization');
  const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  return match?.[1];
}

function isJson(request: EmulatorRequest): boolean {
  return /^application\/json\b/i.test(header(request, 'content-type') ?? '');
}

/**
 * The body's parameters: a form body, or a flat JSON object (Google's OAuth endpoints take
 * both). Empty when there is no body.
 */
export function bodyParams(request: EmulatorRequest): URLSearchParams {
  if (!request.body) return new URLSearchParams();
  if (isJson(request)) {
    const parsed = parseJsonObject(request.body);
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(parsed ?? {})) {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        params.set(key, String(value));
      }
    }
    return params;
  }
  return new URLSearchParams(request.body);
}

/** A JSON object, or undefined when the text is not one. */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A named parameter from the query, else from the body. */
export function param(request: EmulatorRequest, name: string): string | undefined {
  const fromQuery = request.query.get(name);
  if (fromQuery !== null && fromQuery !== '') return fromQuery;
  const fromBody = bodyParams(request).get(name);
  return fromBody !== null && fromBody !== '' ? fromBody : undefined;
}
