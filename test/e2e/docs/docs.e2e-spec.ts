// Every ```ts block of README.md and docs/*.md compiles as written, and every complete one runs
// against the emulator: app examples are booted and their GET routes called
// (run-app-example.ts), test examples run under their own runner (Jest, node:test, Mocha).
// A block fenced ```ts fragment is skipped. The counts are in the test names.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import {
  startDatastoreEmulator,
  startRedis,
  type ManagedDatastore,
  type ManagedServer,
} from '../../support/servers.js';
import {
  allBlocks,
  BLOCKS_DIR,
  fileOf,
  kindOf,
  REPO,
  typeCheck,
  writeBlocks,
  type BlockKind,
} from './doc-blocks.js';
import type { AppExampleReport } from './run-app-example.js';

const run = promisify(execFile);
const REGISTER = join(REPO, 'scripts', 'swc', 'register.mjs');
const blocks = allBlocks();
const complete = blocks.filter((block) => !block.fragment);
const ofKind = (kind: BlockKind) => complete.filter((block) => kindOf(block) === kind);
const counts = `${complete.length} complete blocks in ${new Set(blocks.map((b) => b.doc)).size} documents, ${blocks.length - complete.length} fragments skipped`;

/** Runs a command in the repository; resolves to its output, or rejects with all of it. */
async function exec(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(file, args, { cwd: REPO, env, timeout: 240_000, maxBuffer: 16 << 20 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${relative(REPO, file)} ${args.join(' ')} failed:\n${stdout}\n${stderr}`, {
      cause: error,
    });
  }
}

describe('TypeScript in README.md and docs/', () => {
  let redis: ManagedServer | undefined;
  let datastore: ManagedDatastore | undefined;
  /**
   * What the examples' processes see: a Redis of their own when an example reads REDIS_URL, a
   * Datastore emulator when one makes a `new Datastore()` (which then finds it as Google's
   * client library does, through DATASTORE_EMULATOR_HOST).
   */
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    await writeBlocks(complete);
    const { NODE_OPTIONS: _jestsOwn, ...rest } = process.env;
    env = rest;
    if (complete.some((block) => block.source.includes('process.env.REDIS_URL'))) {
      redis = await startRedis();
      env.REDIS_URL = redis.url;
    }
    if (complete.some((block) => block.source.includes('new Datastore('))) {
      datastore = await startDatastoreEmulator({ projectId: 'docs-examples' });
      env.DATASTORE_EMULATOR_HOST = datastore.emulatorHost;
      env.DATASTORE_PROJECT_ID = datastore.projectId;
    }
  }, 120_000);
  afterAll(async () => {
    await redis?.stop();
    await datastore?.stop();
  });

  it(`type-checks as written: ${counts}`, async () => {
    expect(complete.length).toBeGreaterThanOrEqual(10);
    expect(await typeCheck(complete)).toEqual([]);
  }, 120_000);

  it.each(ofKind('app').map((block) => [block.where, block] as const))(
    'runs the app example at %s against the emulator',
    async (_where, block) => {
      const { stdout } = await exec(
        process.execPath,
        [
          '--import',
          REGISTER,
          join(REPO, 'test', 'e2e', 'docs', 'run-app-example.ts'),
          fileOf(block),
        ],
        env,
      );
      const report = JSON.parse(stdout.trim().split('\n').pop() ?? '') as AppExampleReport;
      expect(report.modules.length).toBeGreaterThan(0);
      expect(report.minted).toBe(report.modules.length);
      for (const store of report.stores) expect(store).toEqual({ ...store, roundTrip: true });
      const { routes } = report;
      // Any answer but a 2xx is shown with its path and body.
      expect(routes.filter((route) => route.status < 200 || route.status >= 300)).toEqual([]);
    },
    120_000,
  );

  it(`runs the ${ofKind('jest').length} Jest examples under Jest`, async () => {
    const files = ofKind('jest').map(fileOf);
    expect(files.length).toBeGreaterThan(0);
    const config = join(BLOCKS_DIR, 'jest.config.mjs');
    await writeFile(
      config,
      [
        `import base from ${JSON.stringify(join(REPO, 'jest.config.mjs'))};`,
        'const [project] = base.projects;',
        `export default { ...project, displayName: 'docs', rootDir: ${JSON.stringify(REPO)},`,
        `  testMatch: ['<rootDir>/.tmp/doc-blocks/*.spec.ts'], testTimeout: 60000 };`,
      ].join('\n'),
    );
    const { stderr } = await exec(
      process.execPath,
      [
        '--experimental-vm-modules',
        '--no-warnings=ExperimentalWarning',
        join(REPO, 'node_modules', 'jest', 'bin', 'jest.js'),
        '--config',
        config,
        '--ci',
        ...files,
      ],
      env,
    );
    expect(stderr).toMatch(
      new RegExp(`Test Suites: ${files.length} passed, ${files.length} total`),
    );
  }, 240_000);

  it(`runs the ${ofKind('node-test').length} node:test examples under node --test`, async () => {
    for (const file of ofKind('node-test').map(fileOf)) {
      // TAP, whatever the Node's default reporter (Node 20: TAP when piped; Node 24: spec).
      const { stdout } = await exec(
        process.execPath,
        ['--import', REGISTER, '--test', '--test-reporter=tap', file],
        env,
      );
      expect(stdout).toMatch(/# fail 0/);
      expect(stdout).toMatch(/# pass [1-9]/);
    }
  }, 240_000);

  it(`runs the ${ofKind('mocha').length} Mocha examples under Mocha`, async () => {
    for (const file of ofKind('mocha').map(fileOf)) {
      // The TypeScript loader in NODE_OPTIONS, as docs/testing.md says: Mocha runs the file itself.
      const { stdout } = await exec(
        join(REPO, 'node_modules', '.bin', 'mocha'),
        ['--timeout', '20000', file],
        { ...env, NODE_OPTIONS: `--import ${REGISTER}` },
      );
      expect(stdout).toMatch(/\d+ passing/);
      expect(stdout).not.toMatch(/failing/);
    }
  }, 240_000);
});
