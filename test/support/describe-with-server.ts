/**
 * describe() for suites that need a real server: runs where the server can be started; where it
 * cannot, skipped with a warning locally and failed under CI=true (never a silent skip in CI).
 */
import type { describe as JestDescribe, it as JestIt } from '@jest/globals';
import { MISSING, serverBinaryAvailable } from './server-binaries.js';
import type { ServerKind } from './servers.js';

export type ServerSuitePlan =
  | { readonly action: 'run' }
  | { readonly action: 'skip'; readonly reason: string }
  | { readonly action: 'fail'; readonly reason: string };

/** CI is on when the CI variable is set to anything but '', '0' or 'false'. */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

/** What describeWithServer does with a suite: run it, skip it (locally), or fail it (under CI). */
export function planServerSuite(
  kind: ServerKind,
  available: boolean,
  env: NodeJS.ProcessEnv = process.env,
): ServerSuitePlan {
  return planSuite(MISSING[kind], available, env);
}

/** The same for anything a suite needs, `missing` saying what is missing and where to get it. */
export function planSuite(
  missing: string,
  available: boolean,
  env: NodeJS.ProcessEnv = process.env,
): ServerSuitePlan {
  if (available) return { action: 'run' };
  if (isCi(env)) {
    return {
      action: 'fail',
      reason: `${missing}. Under CI=true a suite that needs it fails instead of being skipped; .ci/run installs it.`,
    };
  }
  return { action: 'skip', reason: `${missing}: skipping, as CI is not set.` };
}

// A wrapper around describe(): the jest rules written for test files do not fit it.
/* oxlint-disable jest/valid-title, jest/valid-describe-callback, jest/no-disabled-tests, jest/expect-expect */
/**
 * describe() that runs when the server's binary exists. When it is missing, under CI=true the suite
 * fails with a test that says why (never a silent skip); otherwise it is skipped with a console.warn.
 */
export function describeWithServer(kind: ServerKind, name: string, fn: () => void): void {
  const requirement = {
    name: kind,
    available: serverBinaryAvailable(kind),
    missing: MISSING[kind],
  };
  describeWithRequirement(requirement, name, fn);
}

/**
 * describeWithServer for anything else a suite needs (a client in another language, a toolchain):
 * runs when `available`; else fails under CI=true with a test named `needs <name>`, or is skipped.
 */
export function describeWithRequirement(
  requirement: { name: string; available: boolean; missing: string },
  name: string,
  fn: () => void,
): void {
  // Jest's globals, taken when called: importing @jest/globals would throw outside Jest, and the
  // starters are meant for scripts (benchmarks) too.
  const { describe, it } = globalThis as unknown as {
    describe: typeof JestDescribe;
    it: typeof JestIt;
  };
  const plan = planSuite(requirement.missing, requirement.available);
  switch (plan.action) {
    case 'run':
      describe(name, fn);
      return;
    case 'skip':
      console.warn(`${name}: ${plan.reason}`);
      describe.skip(name, fn);
      return;
    case 'fail':
      describe(name, () => {
        it(`needs ${requirement.name}`, () => {
          throw new Error(plan.reason);
        });
      });
      return;
  }
}
/* oxlint-enable jest/valid-title, jest/valid-describe-callback, jest/no-disabled-tests, jest/expect-expect */
