/** A task waiting for its turn. */
interface Waiter {
  start(): void;
  /** Set once it gave up waiting: skipped when its turn comes. */
  expired: boolean;
}

/**
 * At most `max` tasks run at once; the others wait their turn, first come first served, each
 * for at most `maxWaitMs`. A task that was not started in time is rejected with the error
 * `tooLong()` makes, and is never run.
 */
export class ConcurrencyLimit {
  #running = 0;
  #peak = 0;
  readonly #waiting: Waiter[] = [];
  /** Index of the first waiter still in `#waiting` (the array is compacted now and then). */
  #head = 0;

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) {
      throw new TypeError('ConcurrencyLimit: "max" must be an integer ≥ 1');
    }
  }

  /** Tasks running now. */
  get running(): number {
    return this.#running;
  }

  /** Tasks waiting for a turn now. */
  get waiting(): number {
    return this.#waiting.length - this.#head;
  }

  /** The most tasks that ever ran at once. */
  get peak(): number {
    return this.#peak;
  }

  run<T>(task: () => Promise<T>, maxWaitMs: number, tooLong: () => Error): Promise<T> {
    if (this.#running < this.max) return this.#start(task);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        expired: false,
        start: () => {
          clearTimeout(timer);
          this.#start(task).then(resolve, reject);
        },
      };
      const timer = setTimeout(() => {
        waiter.expired = true;
        reject(tooLong());
      }, maxWaitMs);
      this.#waiting.push(waiter);
    });
  }

  async #start<T>(task: () => Promise<T>): Promise<T> {
    this.#running++;
    if (this.#running > this.#peak) this.#peak = this.#running;
    try {
      return await task();
    } finally {
      this.#running--;
      this.#next();
    }
  }

  #next(): void {
    while (this.#head < this.#waiting.length && this.#running < this.max) {
      const waiter = this.#waiting[this.#head]!;
      this.#waiting[this.#head++] = undefined as never;
      if (!waiter.expired) waiter.start();
    }
    if (this.#head === this.#waiting.length) {
      this.#waiting.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
