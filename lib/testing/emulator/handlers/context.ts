import type { EmulatorAnswer, EmulatorRequest } from '../http.js';
import type { EmulatorState } from '../state/index.js';

/** What every handler may read. */
export interface HandlerContext {
  state: EmulatorState;
  /** `http://127.0.0.1:PORT`, this emulator's base URL. */
  baseUrl: string;
  certsMaxAgeSeconds: number;
}

/** Answers one request; pure but for the state it updates. */
export type Handler = (request: EmulatorRequest, context: HandlerContext) => EmulatorAnswer;
