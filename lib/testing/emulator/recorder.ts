import { EMULATOR_ENDPOINTS, type EmulatorEndpoint, type RecordedRequest } from './types.js';

/** Counts every request per endpoint and keeps the most recent ones. */
export class RequestRecorder {
  readonly #limit: number;
  #counts = new Map<EmulatorEndpoint, number>();
  #recent: RecordedRequest[] = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 0)
      throw new RangeError('maxRecordedRequests: bad value');
    this.#limit = limit;
  }

  record(request: RecordedRequest): void {
    this.#counts.set(request.endpoint, (this.#counts.get(request.endpoint) ?? 0) + 1);
    this.#recent.push(request);
    if (this.#recent.length > this.#limit)
      this.#recent.splice(0, this.#recent.length - this.#limit);
  }

  count(endpoint: EmulatorEndpoint): number {
    if (!EMULATOR_ENDPOINTS.includes(endpoint))
      throw new RangeError(`Unknown endpoint: ${endpoint}`);
    return this.#counts.get(endpoint) ?? 0;
  }

  /** Oldest first; copies, so a caller cannot change the record. */
  requests(endpoint?: EmulatorEndpoint): RecordedRequest[] {
    const selected = endpoint ? this.#recent.filter((r) => r.endpoint === endpoint) : this.#recent;
    return selected.map((r) => ({ ...r, headers: { ...r.headers } }));
  }

  reset(): void {
    this.#counts = new Map();
    this.#recent = [];
  }
}
