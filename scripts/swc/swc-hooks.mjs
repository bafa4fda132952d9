// Module hooks (node:module register) for running TypeScript in plain Node: a relative `./x.js`
// import that has only `./x.ts` beside it resolves to the .ts file (NodeNext style), the package's
// own name resolves to its entry point in lib/ (package-entries.mjs, as under Jest), and .ts files
// are transpiled by @swc/core with the options Jest uses (swc-options.mjs).
import { transform } from '@swc/core';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PACKAGE_SOURCES } from './package-entries.mjs';
import { SWC_OPTIONS } from './swc-options.mjs';

export async function resolve(specifier, context, nextResolve) {
  const source = PACKAGE_SOURCES[specifier];
  if (source) return { url: pathToFileURL(source).href, format: 'module', shortCircuit: true };
  const parent = context.parentURL;
  if (parent?.endsWith('.ts') && /^\.{1,2}\//.test(specifier) && specifier.endsWith('.js')) {
    const asTs = new URL(specifier.replace(/\.js$/, '.ts'), parent);
    const asJs = new URL(specifier, parent);
    if (!existsSync(fileURLToPath(asJs)) && existsSync(fileURLToPath(asTs))) {
      return { url: asTs.href, format: 'module', shortCircuit: true };
    }
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const filename = fileURLToPath(url);
  const source = await readFile(filename, 'utf8');
  const { code } = await transform(source, { ...SWC_OPTIONS, filename });
  return { format: 'module', source: code, shortCircuit: true };
}
