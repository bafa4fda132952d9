import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { googleApiError } from './errors.js';
import { jsonAnswer, type EmulatorAnswer, type EmulatorRequest } from './http.js';
import type { HandlerContext } from './handlers/context.js';
import { resolveRoute } from './router.js';
import { statusFaultAnswer, type FaultQueue } from './faults.js';
import type { RequestRecorder } from './recorder.js';

const MAX_BODY_BYTES = 1024 * 1024;

export interface EmulatorServerDeps {
  recorder: RequestRecorder;
  faults: FaultQueue;
  /** Read on every request, so that handlers see the bound URL. */
  context: () => HandlerContext;
  now: () => number;
}

class BodyTooLarge extends Error {}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function write(response: ServerResponse, method: string, answer: EmulatorAnswer): void {
  response.writeHead(answer.status, {
    ...answer.headers,
    'content-length': Buffer.byteLength(answer.body),
  });
  response.end(method === 'HEAD' ? undefined : answer.body);
}

/** The node:http server on 127.0.0.1: reads, routes, records, faults, answers. */
export class EmulatorServer {
  readonly #deps: EmulatorServerDeps;
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;

  constructor(deps: EmulatorServerDeps) {
    this.#deps = deps;
  }

  get listening(): boolean {
    return this.#server !== undefined;
  }

  /** Binds 127.0.0.1 on `port` (0 = any free port); resolves to the bound port. */
  async listen(port: number): Promise<number> {
    if (this.#server) throw new Error('GoogleOAuth2Emulator is already started');
    const server = createServer((request, response) => {
      void this.#handle(request, response);
    });
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    return address.port;
  }

  /** Stops listening and destroys every socket, including ones a 'timeout' fault holds. */
  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    await closed;
  }

  async #handle(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = (incoming.method ?? 'GET').toUpperCase();
    try {
      const path = incoming.url ?? '/';
      const url = new URL(path, 'http://127.0.0.1');
      let body: string;
      try {
        body = await readBody(incoming);
      } catch (error) {
        if (!(error instanceof BodyTooLarge)) throw error;
        write(response, method, jsonAnswer(413, googleApiError(413, 'Request body too large.')));
        return;
      }
      const route = resolveRoute(url.pathname);
      if (!route) {
        write(response, method, jsonAnswer(404, googleApiError(404, `Not found: ${url.pathname}`)));
        return;
      }
      this.#deps.recorder.record({
        endpoint: route.endpoint,
        method,
        path,
        headers: { ...incoming.headers },
        body,
        at: this.#deps.now(),
      });
      const fault = this.#deps.faults.take(route.endpoint);
      if (fault === 'timeout') return; // never answered; close() destroys the socket
      if (fault === 'reset') {
        incoming.socket.resetAndDestroy();
        return;
      }
      if (fault) {
        write(response, method, statusFaultAnswer(route.endpoint, fault));
        return;
      }
      const request: EmulatorRequest = {
        method,
        pathname: url.pathname,
        path,
        query: url.searchParams,
        headers: incoming.headers,
        body,
      };
      write(response, method, route.handler(request, this.#deps.context()));
    } catch (error) {
      console.error('GoogleOAuth2Emulator: handler failed', error);
      if (!response.headersSent) write(response, method, jsonAnswer(500, googleApiError(500)));
      else response.destroy();
    }
  }
}
