/**
 * The user's side of the package: pack it as `npm publish` would, and install the tarball into a
 * fresh app in a temp folder, with the google-auth-library line a user on this Node gets.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
/** A checkout as `git clone` gives it, less what the build does not read (tests, bench…). */
const BUILD_INPUTS = [
  'package.json',
  'package-lock.json',
  'scripts/prepare.mjs',
  'tsconfig.json',
  'tsconfig.build.json',
  'README.md',
  'LICENSE',
  'CHANGELOG.md',
  'docs',
  'lib',
];

/** What the user's app is made of: a folder of its own per module system, one shared install. */
export const APP_SOURCE = fileURLToPath(new URL('./user-app/main.ts', import.meta.url));
export const MODULE_SYSTEMS = ['esm', 'commonjs'] as const;
export type ModuleSystem = (typeof MODULE_SYSTEMS)[number];

/** Runs a command; rejects with its output when it fails. */
export async function exec(
  file: string,
  args: string[],
  options: { cwd: string; timeoutMs?: number; env?: NodeJS.ProcessEnv },
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      timeout: options.timeoutMs ?? 240_000,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout, stderr, message } = error as Error & { stdout?: string; stderr?: string };
    throw new Error(
      `${file} ${args.join(' ')} failed: ${message}\n${stdout ?? ''}\n${stderr ?? ''}`,
      { cause: error },
    );
  }
}

/** The tarball `npm pack` makes, and the paths in it. */
export interface PackedPackage {
  tarball: string;
  files: string[];
}

/**
 * `npm pack` on a copy of what the build reads, with no node_modules and no dist/, as a fresh clone
 * is: its `prepare` script installs the locked devDependencies (`npm ci`, from the local cache
 * first) and builds dist/ there. The checkout's own dist/ is not rebuilt under anyone's feet.
 */
export async function packLibrary(work: string): Promise<PackedPackage> {
  const stage = join(work, 'checkout');
  await mkdir(stage, { recursive: true });
  for (const input of BUILD_INPUTS) {
    await cp(join(REPO, input), join(stage, input), { recursive: true });
  }
  const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', work], {
    cwd: stage,
  });
  // prepare's own output comes first; the JSON report is the last thing npm prints.
  const [report] = JSON.parse(stdout.slice(stdout.indexOf('\n[') + 1)) as {
    filename: string;
    files: { path: string }[];
  }[];
  return { tarball: join(work, report.filename), files: report.files.map((file) => file.path) };
}

/**
 * What a user on this Node gets from npm: on Node 22 and later, `@googleapis/oauth2` 10 and
 * google-auth-library 11; on Node 20, `@googleapis/oauth2` 6, whose googleapis-common pins
 * google-auth-library 10.5.0, with the README's `overrides` that keep the tree at one copy.
 */
export function googleLine(nodeMajor = Number(process.versions.node.split('.')[0])): {
  googleAuthLibraryMajor: number;
  dependencies: Record<string, string>;
  overrides?: Record<string, string>;
} {
  return nodeMajor >= 22
    ? { googleAuthLibraryMajor: 11, dependencies: { '@googleapis/oauth2': '^10.0.0' } }
    : {
        googleAuthLibraryMajor: 10,
        dependencies: { '@googleapis/oauth2': '^6.0.0' },
        overrides: { 'google-auth-library': '10.5.0' },
      };
}

/**
 * A fresh app in `dir`: the tarball, Nest and the Google client from the registry (through the
 * local npm cache first), one install shared by `esm/` and `commonjs/`, each with the same
 * source, its own package.json "type" and a strict tsconfig.
 */
export async function createUserApp(dir: string, tarball: string): Promise<void> {
  const repoManifest = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  const dev = (name: string) => repoManifest.devDependencies[name];
  const line = googleLine();
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify(
      {
        name: 'user-app',
        private: true,
        dependencies: {
          'nestjs-google-oauth2': `file:${tarball}`,
          '@nestjs/common': dev('@nestjs/common'),
          '@nestjs/core': dev('@nestjs/core'),
          '@nestjs/platform-express': dev('@nestjs/platform-express'),
          'reflect-metadata': dev('reflect-metadata'),
          rxjs: dev('rxjs'),
          '@types/node': dev('@types/node'),
          ...line.dependencies,
        },
        ...(line.overrides && { overrides: line.overrides }),
      },
      null,
      2,
    ),
  );
  for (const system of MODULE_SYSTEMS) {
    const app = join(dir, system);
    await mkdir(join(app, 'src'), { recursive: true });
    await writeFile(
      join(app, 'package.json'),
      JSON.stringify({ type: system === 'esm' ? 'module' : 'commonjs' }),
    );
    await writeFile(join(app, 'tsconfig.json'), JSON.stringify(USER_TSCONFIG, null, 2));
    await cp(APP_SOURCE, join(app, 'src', 'main.ts'));
  }
  await exec(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
    { cwd: dir },
  );
}

/** A strict app, checking every declaration file it reads (the library's among them). */
export const USER_TSCONFIG = {
  compilerOptions: {
    target: 'ES2023',
    lib: ['ES2023'],
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    skipLibCheck: false,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    types: ['node'],
    rootDir: 'src',
    outDir: 'dist',
  },
  include: ['src'],
};

/** The repository's TypeScript compiler, run on a project of the app's. */
export function compile(project: string): Promise<{ stdout: string; stderr: string }> {
  return exec(join(REPO, 'node_modules', '.bin', 'tsc'), ['-p', project], { cwd: project });
}
