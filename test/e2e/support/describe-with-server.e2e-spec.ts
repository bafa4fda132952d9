// describeWithServer: a suite whose server binary is missing fails under CI=true and is skipped
// (with a warning) otherwise. First the decision on its own, then the real thing: a separate Jest
// runs test/support/describe-with-server.fixture.ts with and without redis-server on PATH.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describeWithServer, isCi, planServerSuite } from '../../support/describe-with-server.js';

describe('planServerSuite', () => {
  it('runs the suite when the binary is there, CI or not', () => {
    expect(planServerSuite('redis', true, { CI: 'true' })).toEqual({ action: 'run' });
    expect(planServerSuite('datastore', true, {})).toEqual({ action: 'run' });
  });

  it('fails the suite under CI when the binary is missing, saying which', () => {
    const plan = planServerSuite('memcached', false, { CI: 'true' });
    expect(plan.action).toBe('fail');
    expect(plan).toHaveProperty('reason', expect.stringContaining('memcached is not on PATH'));
  });

  it('skips the suite outside CI when the binary is missing, saying why', () => {
    const plan = planServerSuite('datastore', false, {});
    expect(plan.action).toBe('skip');
    expect(plan).toHaveProperty('reason', expect.stringContaining('Cloud Datastore emulator'));
  });

  it('takes CI as on unless it is unset, empty, 0 or false', () => {
    expect([undefined, '', '0', 'false', 'FALSE'].map((CI) => isCi({ CI }))).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(['true', '1', 'yes'].map((CI) => isCi({ CI }))).toEqual([true, true, true]);
  });
});

describe('describeWithServer in a real Jest run', () => {
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  let dir: string;
  let config: string;

  beforeAll(() => {
    // The project's own e2e settings (SWC, ESM), pointed at the fixture alone.
    dir = mkdtempSync(join(tmpdir(), 'describe-with-server-'));
    config = join(dir, 'jest.config.mjs');
    writeFileSync(
      config,
      [
        `import root from ${JSON.stringify(pathToFileURL(join(root, 'jest.config.mjs')).href)};`,
        `const e2e = root.projects.find((project) => project.displayName === 'e2e');`,
        `export default { ...e2e, displayName: 'fixture', rootDir: ${JSON.stringify(root)},`,
        `  testMatch: ['<rootDir>/test/support/describe-with-server.fixture.ts'] };`,
      ].join('\n'),
    );
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the fixture; `withBinaries: false` leaves PATH empty, so redis-server is not found. */
  function runFixture(
    ci: boolean,
    withBinaries: boolean,
  ): Promise<{ code: number; output: string }> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_OPTIONS: '--experimental-vm-modules --no-warnings=ExperimentalWarning',
      FORCE_COLOR: '0',
    };
    delete env.JEST_WORKER_ID;
    delete env.CI;
    if (ci) env.CI = 'true';
    if (!withBinaries) env.PATH = join(dir, 'empty');
    const jest = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
    const child = spawn(process.execPath, [jest, '--config', config, '--ci'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve({ code: code ?? -1, output }));
    });
  }

  it('fails under CI=true when the binary is missing, with the reason', async () => {
    const { code, output } = await runFixture(true, false);
    expect(output).toContain('✕ needs redis');
    expect(output).toContain('redis-server is not on PATH');
    expect(output).toMatch(/Tests:\s+1 failed, 1 total/);
    expect(code).toBe(1);
  }, 60_000);

  it('skips with a warning outside CI when the binary is missing', async () => {
    const { code, output } = await runFixture(false, false);
    expect(output).toContain('console.warn');
    expect(output).toContain('redis-server is not on PATH');
    expect(output).toMatch(/Tests:\s+1 skipped, 1 total/);
    expect(code).toBe(0);
  }, 60_000);

  describeWithServer('redis', 'with redis-server on PATH', () => {
    it('runs the suite under CI=true', async () => {
      const { code, output } = await runFixture(true, true);
      expect(output).toMatch(/Tests:\s+1 passed, 1 total/);
      expect(code).toBe(0);
    }, 60_000);
  });
});
