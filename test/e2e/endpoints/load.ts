import { Agent, request } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Answer {
  status: number;
  body: string;
}

/**
 * Sends `count` requests to the app, `concurrency` at a time over keep-alive connections;
 * `requestFor(i)` says what the i-th one is. Resolves to the answers, in order.
 */
export async function sendMany(
  server: Server,
  count: number,
  concurrency: number,
  requestFor: (i: number) => { path: string; token?: string; body?: unknown },
): Promise<Answer[]> {
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const answers: Answer[] = new Array(count);
  let next = 0;
  const send = (i: number) =>
    new Promise<Answer>((resolve, reject) => {
      const { path, token, body } = requestFor(i);
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers: Record<string, string> = {};
      if (token !== undefined) headers.authorization = `Bearer ${token}`;
      if (payload !== undefined) headers['content-type'] = 'application/json';
      const req = request(
        { agent, host: '127.0.0.1', port, path, method: payload ? 'POST' : 'GET', headers },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  const worker = async () => {
    while (next < count) {
      const i = next++;
      answers[i] = await send(i);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return answers;
}
