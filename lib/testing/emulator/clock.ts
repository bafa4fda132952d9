import type { EmulatorClockApi } from './types.js';

/**
 * The emulator's notion of "now": `Date.now()` plus an offset. `Date.now()` is read on every
 * call, so a test that fakes `Date` moves the emulator too, and time keeps running after
 * `advance()` or `set()`.
 */
export class EmulatorClock implements EmulatorClockApi {
  #offsetMs = 0;

  now(): number {
    return Date.now() + this.#offsetMs;
  }

  /** Seconds since the epoch, rounded down (JWT `iat`/`exp` units). */
  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError('clock.advance: ms must be a finite number');
    this.#offsetMs += ms;
  }

  set(epochMs: number): void {
    if (!Number.isFinite(epochMs)) throw new RangeError('clock.set: epochMs must be finite');
    this.#offsetMs = epochMs - Date.now();
  }

  reset(): void {
    this.#offsetMs = 0;
  }
}
