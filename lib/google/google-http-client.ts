import { gaxios } from 'google-auth-library';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { GoogleEndpointName, GoogleOAuth2Error } from './google-oauth2.error.js';

export interface GoogleRequest {
  endpoint: GoogleEndpointName;
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  /** Sent as `application/x-www-form-urlencoded`. */
  form?: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
  /** Expect a text body rather than JSON (metadata server values). */
  text?: boolean;
  /**
   * How many times a failed call is tried again (default 2; see `retryDelayMs` for which
   * failures). Calls made while a caller waits use fewer.
   */
  retries?: number;
}

export interface GoogleResponse<T> {
  data: T;
  headers: Headers;
}

const DEFAULT_RETRIES = 2;
/** Backoff when Google does not say how long to wait: 200 ms doubling, at most 5 s, jittered. */
const BACKOFF_FIRST_MS = 200;
const BACKOFF_MAX_MS = 5_000;

/**
 * How long to wait before trying a failed call again, or `undefined` not to: a 429 or a 5xx
 * after its `Retry-After` if it sent one, else after a jittered exponential backoff; a dropped
 * connection once; never a timeout (it has used the time up) nor another 4xx (Google has decided).
 */
export function retryDelayMs(err: unknown, attempt: number): number | undefined {
  if (!(err instanceof gaxios.GaxiosError) || isTimeout(err)) return undefined;
  const status = err.response?.status;
  if (status === undefined) return attempt === 0 ? backoffMs(attempt) : undefined;
  if (status !== 429 && status < 500) return undefined;
  return retryAfterMs(err.response?.headers) ?? backoffMs(attempt);
}

/** The `attempt`-th backoff (0-based): 200 ms × 2^attempt, at most 5 s, times a random 0.5–1. */
function backoffMs(attempt: number): number {
  const ceiling = Math.min(BACKOFF_FIRST_MS * 2 ** attempt, BACKOFF_MAX_MS);
  return ceiling * (0.5 + Math.random() / 2);
}

/** `Retry-After` in ms: delay-seconds or an HTTP date (RFC 9110 §10.2.3); absent or unreadable: `undefined`. */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  const value = headers?.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** gaxios aborts a request that outlives its `timeout` with a TimeoutError reason. */
function isTimeout(err: gaxios.GaxiosError): boolean {
  // Duck-typed: the reason is a DOMException from another realm than this module's `Error`.
  const nameOf = (value: unknown) => (value as { name?: unknown } | undefined)?.name;
  return (
    err.code === 'TimeoutError' ||
    nameOf(err.config?.signal?.reason) === 'TimeoutError' ||
    nameOf(err.cause) === 'TimeoutError'
  );
}

/**
 * The one HTTP client every call to Google goes through: a gaxios instance with a timeout on
 * every request (so that nothing hangs) that the `AuthClient`s the library builds share as
 * their transporter, and that maps every failure to `GoogleOAuth2Error`.
 */
export class GoogleHttpClient {
  readonly transporter: gaxios.Gaxios;

  constructor(readonly timeoutMs: number) {
    this.transporter = new gaxios.Gaxios({ timeout: timeoutMs });
  }

  /**
   * Sends `req`, tries it again after the failures `retryDelayMs` allows, and ends within the
   * timeout, waits included: a wait that would end past it is not waited; the caller gets the
   * last failure as a `GoogleOAuth2Error`.
   */
  async request<T>(req: GoogleRequest): Promise<GoogleResponse<T>> {
    const headers: Record<string, string> = { ...req.headers };
    let data: string | undefined;
    if (req.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      data = new URLSearchParams(req.form).toString();
    } else if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      data = JSON.stringify(req.json);
    }
    const retries = req.retries ?? DEFAULT_RETRIES;
    const deadline = performance.now() + this.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await this.transporter.request<T>({
          url: req.url,
          method: req.method,
          headers,
          data,
          responseType: req.text ? 'text' : 'json',
          timeout: Math.max(1, Math.ceil(deadline - performance.now())),
          retry: false,
        });
        return { data: res.data, headers: res.headers };
      } catch (err) {
        const wait = attempt < retries ? retryDelayMs(err, attempt) : undefined;
        if (wait === undefined || performance.now() + wait >= deadline) {
          throw toGoogleOAuth2Error(req.endpoint, err);
        }
        await sleep(wait);
      }
    }
  }
}

/**
 * Google's answer as a `GoogleOAuth2Error`. Only the fields Google defines are kept: gaxios's
 * own message and config may hold the request's Authorization header or body.
 */
export function toGoogleOAuth2Error(endpoint: GoogleEndpointName, err: unknown): GoogleOAuth2Error {
  if (err instanceof GoogleOAuth2Error) return err;
  if (err instanceof gaxios.GaxiosError) {
    const status = err.response?.status;
    if (status !== undefined) {
      const { error, description } = readErrorBody(err.response?.data);
      return new GoogleOAuth2Error(endpoint, error ?? `http_${status}`, description, status);
    }
    if (isTimeout(err)) {
      return new GoogleOAuth2Error(endpoint, 'timeout', 'no answer within the request timeout');
    }
    const code = String(err.code ?? (err.cause as NodeJS.ErrnoException | undefined)?.code ?? '');
    return new GoogleOAuth2Error(endpoint, 'network_error', code || 'the connection failed');
  }
  return new GoogleOAuth2Error(endpoint, 'network_error', (err as Error)?.name ?? 'unknown');
}

/** Reads Google's two error shapes: OAuth2 `{error, error_description}` and API `{error: {message, status}}`. */
function readErrorBody(body: unknown): { error?: string; description?: string } {
  let parsed = body;
  if (typeof parsed === 'string') {
    try {
      parsed = JSON.parse(parsed);
    } catch {
      return {};
    }
  }
  if (!parsed || typeof parsed !== 'object') return {};
  const { error, error_description } = parsed as { error?: unknown; error_description?: unknown };
  if (typeof error === 'string') {
    return {
      error,
      description: typeof error_description === 'string' ? error_description : undefined,
    };
  }
  if (error && typeof error === 'object') {
    const { status, message } = error as { status?: unknown; message?: unknown };
    return {
      error: typeof status === 'string' ? status : undefined,
      description: typeof message === 'string' ? message : undefined,
    };
  }
  return {};
}
