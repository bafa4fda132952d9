import { gaxios } from 'google-auth-library';
import { GoogleHttpClient, toGoogleOAuth2Error } from '../google/google-http-client.js';
import type { GoogleEndpointName } from '../google/google-oauth2.error.js';

/**
 * Retries of the calls made while a caller waits (tokeninfo, certs): one quick retry of a 5xx
 * or a dropped connection, none of a timeout or a 429, so that an outage answers 503 within
 * about one request timeout rather than after a long back-off.
 */
const REQUEST_PATH_RETRY: gaxios.RetryConfig = {
  retry: 1,
  retryDelay: 100,
  httpMethodsToRetry: ['GET', 'POST'],
  statusCodesToRetry: [[500, 599]],
  noResponseRetries: 1,
};

/**
 * A call to Google on a caller's request path, over the module's HTTP client (its transporter,
 * hence its timeout) with `REQUEST_PATH_RETRY`; failures are `GoogleOAuth2Error`s that hold no
 * token (the token travels in the form body, which the error does not keep).
 */
export async function requestPathCall<T>(
  http: GoogleHttpClient,
  request: {
    endpoint: GoogleEndpointName;
    method: 'GET' | 'POST';
    url: string;
    form?: Record<string, string>;
  },
): Promise<{ data: T; headers: Headers }> {
  try {
    const res = await http.transporter.request<T>({
      url: request.url,
      method: request.method,
      ...(request.form
        ? {
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            data: new URLSearchParams(request.form).toString(),
          }
        : {}),
      responseType: 'json',
      retry: true,
      retryConfig: { ...REQUEST_PATH_RETRY },
    });
    return { data: res.data, headers: res.headers };
  } catch (err) {
    throw toGoogleOAuth2Error(request.endpoint, err);
  }
}
