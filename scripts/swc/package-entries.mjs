// Where each of the package's entry points (package.json "exports") lives in the TypeScript
// sources: `./dist/x.js` is built from `lib/x.ts`. Jest (jest.config.mjs) and the plain-Node runs
// (swc-hooks.mjs) resolve `nestjs-google-oauth2[/subpath]` with it, so that tests, the fleet's
// child processes and the bench import the library one way, by its name, with no build.
// tsconfig.json's "paths" say the same for tsc; test/unit/package/package-entries.spec.ts checks
// that they agree.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../../', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));

/** `{ 'nestjs-google-oauth2': '/abs/lib/index.ts', 'nestjs-google-oauth2/testing': … }` */
export const PACKAGE_SOURCES = Object.fromEntries(
  Object.entries(manifest.exports)
    .filter(([, target]) => typeof target === 'object')
    .map(([subpath, target]) => [
      manifest.name + subpath.slice(1),
      fileURLToPath(
        new URL(target.default.replace(/^\.\/dist\//, 'lib/').replace(/\.js$/, '.ts'), root),
      ),
    ]),
);
