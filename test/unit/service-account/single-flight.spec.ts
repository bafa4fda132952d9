import { describe, expect, it } from '@jest/globals';
import { SingleFlight } from '../../../lib/service-account/single-flight.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SingleFlight', () => {
  it('runs one call for concurrent callers of one key and gives each the result', async () => {
    const flights = new SingleFlight<number>();
    const gate = deferred<number>();
    let calls = 0;
    const callers = Array.from({ length: 100 }, () =>
      flights.run('k', () => {
        calls++;
        return gate.promise;
      }),
    );
    gate.resolve(42);
    expect(await Promise.all(callers)).toEqual(Array(100).fill(42));
    expect(calls).toBe(1);
    expect(flights.size).toBe(0);
  });

  it('gives a failure to every waiter and lets the next call start afresh', async () => {
    const flights = new SingleFlight<number>();
    const gate = deferred<number>();
    const callers = [1, 2, 3].map(() => flights.run('k', () => gate.promise));
    gate.reject(new Error('boom'));
    for (const caller of callers) await expect(caller).rejects.toThrow('boom');
    await expect(flights.run('k', async () => 7)).resolves.toBe(7);
  });

  it('keeps keys apart', async () => {
    const flights = new SingleFlight<string>();
    const results = await Promise.all([
      flights.run('a', async () => 'a'),
      flights.run('b', async () => 'b'),
    ]);
    expect(results).toEqual(['a', 'b']);
  });
});
