import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A forwarding HTTP server that records what it forwards and counts what it has in flight. */
export interface ForwardingProxy {
  /** The proxy's base URL: `http://127.0.0.1:PORT`. */
  url: string;
  /** Requests forwarded so far. */
  readonly count: number;
  /** `METHOD path` of each request, in order (clear it with `seen.length = 0`). */
  readonly seen: string[];
  /** The most requests that were in flight at once. */
  readonly peak: number;
  close(): Promise<void>;
}

/**
 * A stand-in in front of a real server (the emulator), like an egress proxy or a Private Service
 * Connect endpoint: forwards every request to `target` (same path, method, headers and body, but
 * for `Host`) after `delayMs`, and answers with what it got. It counts how many requests are in
 * flight at once, which the emulator does not.
 */
export async function startForwardingProxy(target: string, delayMs = 0): Promise<ForwardingProxy> {
  const base = new URL(target);
  let inFlight = 0;
  let peak = 0;
  let count = 0;
  const seen: string[] = [];
  const forward = async (
    incoming: IncomingMessage,
  ): Promise<{ status: number; body: Buffer; type: string }> => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          host: base.hostname,
          port: base.port,
          path: incoming.url,
          method: incoming.method,
          headers: { ...incoming.headers, host: base.host },
        },
        (res) => {
          const body: Buffer[] = [];
          res.on('data', (chunk: Buffer) => body.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 502,
              body: Buffer.concat(body),
              type: res.headers['content-type'] ?? 'application/json',
            }),
          );
          res.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(Buffer.concat(chunks));
    });
  };
  const server: Server = createServer((incoming, response) => {
    inFlight++;
    count++;
    seen.push(`${incoming.method} ${incoming.url}`);
    if (inFlight > peak) peak = inFlight;
    forward(incoming)
      .then(({ status, body, type }) => {
        response.writeHead(status, { 'content-type': type }).end(body);
      })
      .catch(() => response.writeHead(502).end())
      .finally(() => inFlight--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get count() {
      return count;
    },
    get peak() {
      return peak;
    },
    seen,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
