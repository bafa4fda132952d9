/**
 * Google's clients in other languages, as the conformance suites run them: Python's google-auth
 * (Debian's python3-google-auth) and Go's golang.org/x/oauth2/google (Debian's
 * golang-golang-x-oauth2-google-dev), found on this machine or reported missing.
 */
import { afterAll, beforeAll } from '@jest/globals';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GoogleOAuth2Emulator, type ServiceAccountKeyFile } from 'nestjs-google-oauth2/testing';

/** test/conformance: the scripts docs/emulator.md shows. */
export const CONFORMANCE_DIR = fileURLToPath(new URL('../../conformance/', import.meta.url));

/** Where Debian's Go packages put their sources: a GOPATH. */
const DEBIAN_GOPATH = '/usr/share/gocode';

/** The command named by an environment variable if set (and only it), else the defaults. */
function candidates(variable: string, defaults: string[]): string[] {
  const chosen = process.env[variable];
  return chosen !== undefined && chosen !== '' ? [chosen] : defaults;
}

/**
 * A Python 3 that imports google.auth and requests: $PYTHON if set, else Debian's
 * /usr/bin/python3, else PATH's python3.
 */
function findPython(): string | undefined {
  return candidates('PYTHON', ['/usr/bin/python3', 'python3']).find(
    (python) =>
      spawnSync(python, ['-c', 'import google.auth, google.oauth2.id_token, requests'], {
        stdio: 'ignore',
        timeout: 30_000,
      }).status === 0,
  );
}

/** $GO if set, else `go` on PATH or Debian's, with Debian's x/oauth2/google sources beside it. */
function findGo(): string | undefined {
  const sources = join(DEBIAN_GOPATH, 'src/golang.org/x/oauth2/google');
  if (!existsSync(sources)) return undefined;
  return candidates('GO', ['go', '/usr/lib/go/bin/go']).find(
    (go) => spawnSync(go, ['version'], { stdio: 'ignore', timeout: 30_000 }).status === 0,
  );
}

export interface ExternalClient {
  /** What the suite needs, as `describeWithRequirement` takes it. */
  requirement: { name: string; available: boolean; missing: string };
  /** The interpreter or toolchain, when available. */
  command: string | undefined;
}

export function pythonClient(): ExternalClient {
  const command = findPython();
  return {
    command,
    requirement: {
      name: 'python3-google-auth',
      available: command !== undefined,
      missing:
        "no Python 3 with google-auth and requests ($PYTHON, or Debian's python3-google-auth and python3-requests in /usr/bin/python3)",
    },
  };
}

export function goClient(): ExternalClient {
  const command = findGo();
  return {
    command,
    requirement: {
      name: 'golang-golang-x-oauth2-google-dev',
      available: command !== undefined,
      missing: `no Go toolchain with golang.org/x/oauth2/google under ${DEBIAN_GOPATH} (Debian's golang-go and golang-golang-x-oauth2-google-dev)`,
    },
  };
}

/**
 * The environment for Go's build and its programs: GOPATH mode on Debian's sources, no module
 * proxy, so nothing is fetched.
 */
export function goEnvironment(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GO111MODULE: 'off',
    GOPATH: DEBIAN_GOPATH,
    GOPROXY: 'off',
    GOFLAGS: '',
  };
}

export interface FlowResult {
  /** The process's exit code. */
  code: number;
  /** stdout parsed as JSON (every flow prints one JSON value). */
  output: Record<string, unknown>;
  stderr: string;
}

/** Runs one flow of a conformance program and parses what it prints. */
export function runFlow(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { cwd?: string } = {},
): Promise<FlowResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { env, cwd: options.cwd, timeout: 60_000, maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        try {
          resolve({ code, output: JSON.parse(stdout) as Record<string, unknown>, stderr });
        } catch {
          reject(
            new Error(
              `${[file, ...args].join(' ')} exited ${code} without JSON:\n${stdout}\n${stderr}`,
            ),
          );
        }
      },
    );
  });
}

/** The domain user the conformance flows act as, and the scope delegated for it. */
export const SUBJECT = 'alice@corp.example';
export const USERINFO_EMAIL = 'https://www.googleapis.com/auth/userinfo.email';

/** What a conformance suite runs its flows against. Filled in by its beforeAll. */
export interface ConformanceSetup {
  emulator: GoogleOAuth2Emulator;
  /** A temporary directory, removed afterwards. */
  dir: string;
  /** The account of KEY_FILE, with domain-wide delegation of USERINFO_EMAIL. */
  key: ServiceAccountKeyFile;
  /** A key file of another account, without delegation. */
  undelegatedKeyFile: string;
  /**
   * The flows' environment: EMULATOR_URL, KEY_FILE, SUBJECT, GCE_METADATA_HOST, HOME (empty),
   * no GOOGLE_APPLICATION_CREDENTIALS, and the suite's own variables.
   */
  env: NodeJS.ProcessEnv;
  /** The emulator's tokeninfo answer for an access token. */
  tokenInfo(token: unknown): Promise<unknown>;
}

/**
 * Registers the beforeAll and afterAll of a conformance suite: an emulator, key files (one
 * account with delegation), the user SUBJECT with a hosted domain, and the flows' environment,
 * in which Application Default Credentials can find nothing but the metadata server.
 */
export function setUpConformance(
  extraEnv: (setup: ConformanceSetup) => NodeJS.ProcessEnv = () => ({}),
): ConformanceSetup {
  const emulator = new GoogleOAuth2Emulator();
  const setup = {
    emulator,
    tokenInfo: async (token: unknown) => {
      const res = await fetch(`${emulator.urls.tokenInfo}?access_token=${String(token)}`);
      return res.json();
    },
  } as ConformanceSetup;
  beforeAll(async () => {
    await emulator.start();
    setup.dir = await mkdtemp(join(tmpdir(), 'conformance-'));
    const home = join(setup.dir, 'home');
    await mkdir(home);
    const { path: keyFile, key } = await emulator.writeServiceAccountFile(setup.dir);
    setup.key = key;
    setup.undelegatedKeyFile = (await emulator.writeServiceAccountFile(setup.dir)).path;
    emulator.addUser({ email: SUBJECT, hostedDomain: 'corp.example' });
    emulator.grantDomainWideDelegation(key.client_id, [USERINFO_EMAIL]);
    const { GOOGLE_APPLICATION_CREDENTIALS: _ignored, ...rest } = process.env;
    setup.env = {
      ...rest,
      EMULATOR_URL: emulator.url,
      KEY_FILE: keyFile,
      SUBJECT,
      GCE_METADATA_HOST: emulator.metadataHost,
      HOME: home,
    };
    setup.env = { ...setup.env, ...extraEnv(setup) };
  });
  afterAll(async () => {
    await emulator.stop();
    if (setup.dir) await rm(setup.dir, { recursive: true, force: true });
  });
  return setup;
}
