/** Free ports, readiness probes and port checks on 127.0.0.1, for the servers the tests start. */
import { request as httpRequest } from 'node:http';
import { connect, createServer } from 'node:net';

/** Every server the tests start listens here, and nowhere else. */
export const HOST = '127.0.0.1';

/** A port that was free a moment ago: the OS's choice for a listener on port 0. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port from the OS'))));
    });
  });
}

/** Sends `line` over TCP and resolves true when the answer starts with `expected`. */
export function tcpProbe(port: number, line: string, expected: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    let answer = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write(line));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.length >= expected.length) done(answer.startsWith(expected));
    });
    socket.once('end', () => done(answer.startsWith(expected)));
  });
}

export function httpProbe(port: number, path: string, expected: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: HOST, port, path, agent: false, timeout: 1000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(res.statusCode === 200 && body.trim() === expected));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** Resolves true when nothing accepts connections on the port. */
export function portClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));
