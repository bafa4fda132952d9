// The package as a user gets it: `npm pack`, installed from the tarball into a fresh ES module
// app and a fresh CommonJS one, compiled with strict TypeScript and skipLibCheck: false, booted,
// and asked a guarded request and a service-account call against the emulator. On Node 20 the
// app has the google-auth-library 10 line, on Node 22+ the 11 line (.ci/run runs the suite on
// Node 20 and on Node 24). npm installs from the registry, its local cache first.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UserAppReport } from './user-app/main.js';
import {
  compile,
  createUserApp,
  exec,
  googleLine,
  MODULE_SYSTEMS,
  packLibrary,
  type PackedPackage,
} from './user-app.js';

const SETUP_TIMEOUT_MS = 600_000;

/** Every version of a package in an npm tree (`npm ls --all --json`). */
function versionsIn(tree: { dependencies?: Record<string, unknown> }, name: string): Set<string> {
  const found = new Set<string>();
  const walk = (node: { version?: string; dependencies?: Record<string, unknown> }) => {
    for (const [dependency, child] of Object.entries(node.dependencies ?? {})) {
      const typed = child as { version?: string; dependencies?: Record<string, unknown> };
      if (dependency === name && typed.version) found.add(typed.version);
      walk(typed);
    }
  };
  walk(tree);
  return found;
}

describe('the packed package, installed into fresh apps', () => {
  let work: string;
  let packed: PackedPackage;
  let app: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'nestjs-google-oauth2-user-app-'));
    packed = await packLibrary(work);
    app = join(work, 'app');
    await createUserApp(app, packed.tarball);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('packs the built entry points, the emulator command, LICENSE and the docs; no sources', () => {
    expect(packed.files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'CHANGELOG.md',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/cache-manager.js',
        'dist/datastore.js',
        'dist/testing/index.js',
        'dist/testing/index.d.ts',
        'dist/testing/cli.js',
        'docs/endpoints.md',
        'docs/service-accounts.md',
        'docs/token-stores.md',
        'docs/emulator.md',
      ]),
    );
    expect(
      packed.files.filter((file) => /^(lib|test|bench|sample-app|scripts)\//.test(file)),
    ).toEqual([]);
  });

  it('installs one google-auth-library, of the line npm gives this Node, and no optional peer', async () => {
    const { stdout } = await exec('npm', ['ls', '--all', '--json'], { cwd: app });
    const versions = [...versionsIn(JSON.parse(stdout), 'google-auth-library')];
    expect(versions).toHaveLength(1);
    expect(Number(versions[0].split('.')[0])).toBe(googleLine().googleAuthLibraryMajor);
    for (const optionalPeer of ['cache-manager', '@google-cloud/datastore']) {
      expect(existsSync(join(app, 'node_modules', optionalPeer))).toBe(false);
    }
  });

  describe.each(MODULE_SYSTEMS)('as a %s app', (system) => {
    const project = () => join(app, system);

    it('compiles with strict TypeScript and skipLibCheck: false', async () => {
      const { stdout, stderr } = await compile(project());
      expect(`${stdout}${stderr}`).toBe('');
    });

    it('boots, guards a route, and calls Google as the caller and as the service account', async () => {
      const { stdout } = await exec(process.execPath, [join(project(), 'dist', 'main.js')], {
        cwd: project(),
        timeoutMs: 60_000,
      });
      const report = JSON.parse(stdout.trim().split('\n').pop() ?? '') as UserAppReport;
      expect(report.moduleSystem).toBe(system);
      expect(report.node).toBe(process.version);
      expect(report.anonymous).toEqual({ status: 401, challenge: 'Bearer realm="google"' });
      expect(report.caller).toEqual({ status: 200, body: { email: 'alice@example.com' } });
      expect(report.serviceAccount.status).toBe(200);
      expect(report.serviceAccount.body).toEqual({ email: report.serviceAccount.clientEmail });
    });
  });

  describe('the google-oauth2-emulator command', () => {
    const bin = () => join(app, 'node_modules', '.bin', 'google-oauth2-emulator');

    it('is installed as a bin and explains itself', async () => {
      const { stdout } = await exec(bin(), ['--help'], { cwd: app });
      expect(stdout).toContain('Usage: google-oauth2-emulator [--port N]');
    });

    it('says how to pick another port when its port is taken', async () => {
      const taken: Server = createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      const { port } = taken.address() as AddressInfo;
      try {
        const failure = await exec(bin(), ['--port', String(port)], { cwd: app }).then(
          () => new Error('the emulator started on a taken port'),
          (error: Error) => error,
        );
        expect(failure.message).toContain(`port ${port} (--port) is already in use`);
        expect(failure.message).toContain('--port N or EMULATOR_PORT=N');
      } finally {
        taken.close();
      }
    });
  });
});
