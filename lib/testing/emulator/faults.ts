import { googleApiError } from './errors.js';
import { jsonAnswer, textAnswer, type EmulatorAnswer } from './http.js';
import { METADATA_HEADERS } from './handlers/metadata.js';
import type { EmulatorEndpoint, EmulatorFault } from './types.js';

interface QueuedFault {
  fault: EmulatorFault;
  remaining: number;
}

function validate(fault: EmulatorFault, times: number): void {
  if (!Number.isInteger(times) || times < 1) {
    throw new RangeError('failNext: times must be a positive integer');
  }
  if (fault === 'timeout' || fault === 'reset') return;
  if (
    typeof fault !== 'object' ||
    !Number.isInteger(fault.status) ||
    fault.status < 100 ||
    fault.status > 599
  ) {
    throw new TypeError("failNext: fault must be { status: 100–599 }, 'timeout' or 'reset'");
  }
}

/** Faults waiting for the next requests of each endpoint, applied in the order queued. */
export class FaultQueue {
  readonly #queues = new Map<EmulatorEndpoint, QueuedFault[]>();

  add(endpoint: EmulatorEndpoint, fault: EmulatorFault, times = 1): void {
    validate(fault, times);
    const queue = this.#queues.get(endpoint) ?? [];
    queue.push({ fault, remaining: times });
    this.#queues.set(endpoint, queue);
  }

  /** The fault for this request of the endpoint, if one is queued (and uses it up). */
  take(endpoint: EmulatorEndpoint): EmulatorFault | undefined {
    const queue = this.#queues.get(endpoint);
    const head = queue?.[0];
    if (!queue || !head) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) queue.shift();
    return head.fault;
  }

  clear(): void {
    this.#queues.clear();
  }
}

/**
 * The answer of a status fault: its body (a string as is, anything else as JSON) or Google's
 * JSON error for the status; metadata answers keep their `Metadata-Flavor` header.
 */
export function statusFaultAnswer(
  endpoint: EmulatorEndpoint,
  fault: { status: number; body?: unknown; headers?: Record<string, string> },
): EmulatorAnswer {
  const base = endpoint === 'metadata' ? { ...METADATA_HEADERS } : {};
  const headers = { ...base, ...lowerCaseKeys(fault.headers ?? {}) };
  const answer =
    typeof fault.body === 'string'
      ? textAnswer(fault.status, fault.body, headers)
      : jsonAnswer(
          fault.status,
          fault.body === undefined ? googleApiError(fault.status) : fault.body,
          headers,
        );
  return answer;
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}
