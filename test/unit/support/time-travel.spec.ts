import { describe, expect, it } from '@jest/globals';
import { startTimeTravel } from '../../support/time-travel.js';

describe('startTimeTravel', () => {
  it('moves Date.now() and keeps timers and time running', async () => {
    const travel = startTimeTravel();
    try {
      const before = Date.now();
      travel.jump(3_600_000);
      expect(Date.now() - before).toBeGreaterThanOrEqual(3_600_000);
      const t0 = Date.now();
      await new Promise((r) => setTimeout(r, 30));
      expect(Date.now() - t0).toBeGreaterThanOrEqual(20);
    } finally {
      travel.stop();
    }
    // Back on the real clock: wall time agrees with the monotonic clock again.
    expect(Math.abs(Date.now() - (performance.timeOrigin + performance.now()))).toBeLessThan(1000);
  });
});
