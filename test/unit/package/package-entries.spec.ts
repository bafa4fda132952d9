// The package's entry points are named in three places that must agree: package.json "exports"
// (what users get), tsconfig.json "paths" (what tsc resolves) and scripts/swc/package-entries.mjs
// (what Jest and the plain-Node runs resolve). And the library is imported one way: what an entry
// point exports is imported by the package's name, never by a relative path into lib/.
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error -- a plain .mjs module without types
import { PACKAGE_SOURCES } from '../../../scripts/swc/package-entries.mjs';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const sources = PACKAGE_SOURCES as Record<string, string>;
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');

/** Names exported by an entry file (`export { A, type B } from …`, `export class C`, …). */
function exportedNames(file: string): Set<string> {
  const text = readFileSync(file, 'utf8');
  const names = new Set<string>();
  for (const match of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const part of match[1].split(',')) {
      const name = part
        .replace(/\btype\s+/, '')
        .split(/\s+as\s+/)
        .pop()
        ?.trim();
      if (name) names.add(name);
    }
  }
  for (const match of text.matchAll(
    /export\s+(?:declare\s+)?(?:abstract\s+)?(?:class|interface|type|const|function|enum)\s+(\w+)/g,
  )) {
    names.add(match[1]);
  }
  return names;
}

/** `{ names, from }` of every `import … from '…'` in a file. */
function importsOf(file: string): { names: string[]; from: string }[] {
  const text = readFileSync(file, 'utf8');
  return [
    ...text.matchAll(/import\s+(?:type\s+)?(?:\{([^}]*)\}|[\w*\s]+)\s+from\s+'([^']+)'/g),
  ].map((match) => ({
    names: (match[1] ?? '')
      .split(',')
      .map((part) =>
        part
          .replace(/\btype\s+/, '')
          .split(/\s+as\s+/)[0]
          .trim(),
      )
      .filter(Boolean),
    from: match[2],
  }));
}

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('package entry points', () => {
  const manifest = JSON.parse(read('package.json')) as {
    name: string;
    exports: Record<string, unknown>;
  };
  const tsconfig = JSON.parse(read('tsconfig.json')) as {
    compilerOptions: { paths: Record<string, string[]> };
  };

  it('has one lib/ source file per "exports" entry, and it exists', () => {
    const subpaths = Object.keys(manifest.exports).filter((key) => key !== './package.json');
    expect(Object.keys(sources).sort()).toEqual(
      subpaths.map((subpath) => manifest.name + subpath.slice(1)).sort(),
    );
    for (const file of Object.values(sources)) expect(existsSync(file)).toBe(true);
  });

  it('resolves in tsc (tsconfig.json "paths") as in Jest and plain Node', () => {
    const paths = Object.fromEntries(
      Object.entries(tsconfig.compilerOptions.paths).map(([name, [target]]) => [
        name,
        resolve(ROOT, target),
      ]),
    );
    expect(paths).toEqual(sources);
  });
});

describe('tests, the bench and the sample app import the library one way', () => {
  const entryFiles = new Set(Object.values(sources));
  const publicNames = new Set([...entryFiles].flatMap((file) => [...exportedNames(file)]));
  const files = ['test', 'bench', 'sample-app'].flatMap(tsFiles);

  it('finds the public names and the files to check', () => {
    expect(publicNames.has('OAuth2Module')).toBe(true);
    expect(publicNames.has('GoogleOAuth2Emulator')).toBe(true);
    expect(files.length).toBeGreaterThan(50);
  });

  it('never imports an entry point, or a name an entry point exports, by a relative path', () => {
    const offences: string[] = [];
    for (const file of files) {
      for (const { names, from } of importsOf(file)) {
        if (!from.startsWith('.')) continue;
        const target = resolve(dirname(file), from).replace(/\.js$/, '.ts');
        if (!target.startsWith(join(ROOT, 'lib'))) continue;
        const where = `${relative(ROOT, file)}: '${from}'`;
        if (entryFiles.has(target)) offences.push(`${where} is an entry point`);
        for (const name of names.filter((n) => publicNames.has(n))) {
          offences.push(`${where} gives ${name}, which the package exports`);
        }
      }
    }
    expect(offences).toEqual([]);
  });
});
