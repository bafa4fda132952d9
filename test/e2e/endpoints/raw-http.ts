import { connect } from 'node:net';
import type { Server } from 'node:http';

/** Sends a request exactly as written (duplicate headers included) and reads the status line. */
export async function rawGet(
  server: Server,
  path: string,
  headers: [string, string][],
): Promise<{ status: number; head: string }> {
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('server is not listening');
  const lines = [`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${address.port}`, 'Connection: close'];
  for (const [name, value] of headers) lines.push(`${name}: ${value}`);
  const text = await new Promise<string>((resolve, reject) => {
    const socket = connect(address.port, '127.0.0.1');
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
  const head = text.split('\r\n\r\n')[0] ?? '';
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), head };
}
