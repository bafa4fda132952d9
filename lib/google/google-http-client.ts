import { gaxios } from 'google-auth-library';
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
   * How many times a 5xx or a dropped connection is retried (never a timeout). Default 2;
   * calls made while a caller waits use fewer, so that an outage answers within about one timeout.
   */
  retries?: number;
}

export interface GoogleResponse<T> {
  data: T;
  headers: Headers;
}

/**
 * Retries for the library's own calls: server errors and a dropped connection, never a
 * timeout (that would multiply the wait) and never a 4xx (Google has decided).
 */
const RETRY_CONFIG: gaxios.RetryConfig = {
  retry: 2,
  retryDelay: 100,
  httpMethodsToRetry: ['GET', 'POST'],
  noResponseRetries: 1,
  shouldRetry: (err) => {
    const config = err.config.retryConfig ?? {};
    const attempt = config.currentRetryAttempt ?? 0;
    if (attempt >= (config.retry ?? 0) || isTimeout(err)) return false;
    const status = err.response?.status;
    return status === undefined ? attempt < (config.noResponseRetries ?? 0) : status >= 500;
  },
};

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
    try {
      const res = await this.transporter.request<T>({
        url: req.url,
        method: req.method,
        headers,
        data,
        responseType: req.text ? 'text' : 'json',
        retry: true,
        retryConfig: { ...RETRY_CONFIG, retry: req.retries ?? RETRY_CONFIG.retry },
      });
      return { data: res.data, headers: res.headers };
    } catch (err) {
      throw toGoogleOAuth2Error(req.endpoint, err);
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
