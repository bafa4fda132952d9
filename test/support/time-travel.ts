import { jest } from '@jest/globals';

/**
 * Moves wall-clock time for the library and the emulator together (both read `Date.now()`),
 * without faking timers: sockets, timeouts and sleeps keep running on real time.
 */
export function startTimeTravel(): { jump(ms: number): void; stop(): void } {
  jest.useFakeTimers({
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
    advanceTimers: true,
  });
  return {
    jump: (ms) => jest.setSystemTime(Date.now() + ms),
    stop: () => jest.useRealTimers(),
  };
}
