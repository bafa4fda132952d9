/**
 * One call in flight per key: callers that ask while a call is under way share its result or
 * its error, and the next caller after it settles starts afresh (a failure poisons nothing).
 */
export class SingleFlight<T> {
  private readonly flights = new Map<string, Promise<T>>();

  run(key: string, call: () => Promise<T>): Promise<T> {
    const current = this.flights.get(key);
    if (current) return current;
    const flight = (async () => {
      try {
        return await call();
      } finally {
        this.flights.delete(key);
      }
    })();
    this.flights.set(key, flight);
    return flight;
  }

  get size(): number {
    return this.flights.size;
  }
}
