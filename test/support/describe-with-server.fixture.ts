// Not a test of its own (no .spec in its name): describe-with-server.e2e-spec.ts runs it in a
// separate Jest, with and without redis-server on PATH and CI set, and reads the outcome.
import { expect, it } from '@jest/globals';
import { describeWithServer } from './describe-with-server.js';

describeWithServer('redis', 'a suite that needs redis', () => {
  it('runs', () => {
    expect(1).toBe(1);
  });
});
