import { gaxios } from 'google-auth-library';
import { GoogleHttpClient } from '../../../lib/google/google-http-client.js';

export type FakeAnswer =
  | { status: number; data?: unknown; headers?: Record<string, string>; delayMs?: number }
  | 'timeout';

/**
 * A `GoogleHttpClient` whose transporter answers from a list, for unit tests of the parts
 * that call Google on a caller's request path. Counts calls; records bodies.
 */
export function fakeGoogle(answer: (call: number, body: string) => FakeAnswer, timeoutMs = 1000) {
  const bodies: string[] = [];
  const request = async (options: gaxios.GaxiosOptions) => {
    const body = String(options.data ?? '');
    bodies.push(body);
    const a = answer(bodies.length, body);
    if (a !== 'timeout' && a.delayMs)
      await new Promise((resolve) => setTimeout(resolve, a.delayMs));
    const config = { ...options, url: new URL(String(options.url)), headers: new Headers() };
    if (a === 'timeout') {
      // As gaxios reports its own timeout: the abort's TimeoutError is the cause.
      const reason = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
      throw new gaxios.GaxiosError(reason.message, config as never, undefined, reason);
    }
    const response = {
      status: a.status,
      data: a.data,
      headers: new Headers(a.headers ?? {}),
      config,
    };
    if (a.status >= 400) {
      throw new gaxios.GaxiosError(`status ${a.status}`, config as never, response as never);
    }
    return response;
  };
  // The real client, its transporter answering from the list: its error mapping stays in play.
  const http = new GoogleHttpClient(timeoutMs);
  http.transporter.request = request as typeof http.transporter.request;
  return { http, bodies, calls: () => bodies.length };
}
