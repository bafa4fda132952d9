/**
 * Google's clients in other languages, as the conformance suites run them: Python's google-auth
 * (Debian's python3-google-auth) and Go's golang.org/x/oauth2/google (Debian's
 * golang-golang-x-oauth2-google-dev), found on this machine or reported missing.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
