/**
 * The TypeScript blocks of README.md and docs/*.md: found, written out as files, type-checked.
 * A block fenced ```ts is a complete example (it compiles as written, and runs); one fenced
 * ```ts fragment is a piece of something larger and is skipped. See docs/development.md.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
/** Where the blocks are written: inside the repository, so that they resolve its packages. */
export const BLOCKS_DIR = join(REPO, '.tmp', 'doc-blocks');

/** How a complete block is run: booted as an app, or by its test runner. */
export type BlockKind = 'app' | 'jest' | 'node-test' | 'mocha';

export interface DocBlock {
  /** `docs/endpoints.md:11`: the document and the line of the opening fence. */
  readonly where: string;
  readonly doc: string;
  /** 1-based line of the fence; the block's first line is the next one. */
  readonly line: number;
  readonly source: string;
  readonly fragment: boolean;
}

/** README.md and every docs/*.md, in a stable order. */
export function documents(): string[] {
  const docs = readdirSync(join(REPO, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort();
  return ['README.md', ...docs.map((name) => join('docs', name))];
}

const FENCE = /^( *)```(ts|typescript)\b([^\n]*)\n([\s\S]*?)^\1```[ \t]*$/gm;

/** Every ```ts block of a Markdown text, fragments included, dedented when fenced in a list. */
export function blocksOf(doc: string, markdown: string): DocBlock[] {
  return [...markdown.matchAll(FENCE)].map((match) => {
    const [, indent, , info, body] = match;
    const line = markdown.slice(0, match.index).split('\n').length;
    const source = body
      .split('\n')
      .map((text) => (text.startsWith(indent) ? text.slice(indent.length) : text))
      .join('\n');
    return {
      where: `${doc}:${line}`,
      doc,
      line,
      source,
      fragment: info.trim().split(/\s+/).includes('fragment'),
    };
  });
}

/** Read when called (test files call it while Jest collects them, so names can count blocks). */
export function allBlocks(): DocBlock[] {
  return documents().flatMap((doc) => blocksOf(doc, readFileSync(join(REPO, doc), 'utf8')));
}

/**
 * What a complete block is, from what it imports: a test file of Jest (`@jest/globals`), of
 * node:test, or of Mocha (a `// mocha` first line; Mocha's functions are globals); else an app.
 */
export function kindOf(block: DocBlock): BlockKind {
  if (/from '@jest\/globals'/.test(block.source)) return 'jest';
  if (/from 'node:test'/.test(block.source)) return 'node-test';
  if (/^\/\/ .*\bmocha\b/im.test(block.source.split('\n')[0])) return 'mocha';
  return 'app';
}

/** The file a block is written to: `docs-endpoints-md-11.ts` (`.spec.ts` for Jest's). */
export function fileOf(block: DocBlock): string {
  const stem = `${block.doc.replace(/[^A-Za-z0-9]+/g, '-')}-${block.line}`;
  return join(BLOCKS_DIR, kindOf(block) === 'jest' ? `${stem}.spec.ts` : `${stem}.ts`);
}

/** The tsconfig of the written blocks: the repository's, less the unused-name checks. */
const TSCONFIG = {
  extends: '../../tsconfig.json',
  compilerOptions: { noEmit: true, noUnusedLocals: false, noUnusedParameters: false },
  include: ['*.ts'],
};

/** Writes the complete blocks out (each a module of its own) and the tsconfig that checks them. */
export async function writeBlocks(blocks: DocBlock[]): Promise<void> {
  await rm(BLOCKS_DIR, { recursive: true, force: true });
  await mkdir(BLOCKS_DIR, { recursive: true });
  await writeFile(join(BLOCKS_DIR, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  for (const block of blocks) {
    // `export {}` makes a block without imports a module too, so blocks never share names.
    await writeFile(fileOf(block), `${block.source}\nexport {};\n`);
  }
}

/** One `tsc` over every written block; its errors, each placed at its line in the document. */
export async function typeCheck(blocks: DocBlock[]): Promise<string[]> {
  const tsc = join(REPO, 'node_modules', '.bin', 'tsc');
  const output = await promisify(execFile)(
    tsc,
    ['-p', join(BLOCKS_DIR, 'tsconfig.json'), '--pretty', 'false'],
    { cwd: REPO, maxBuffer: 16 * 1024 * 1024 },
  ).then(
    ({ stdout }) => stdout,
    (error: { stdout?: string }) => error.stdout ?? String(error),
  );
  const byFile = new Map(blocks.map((block) => [relative(REPO, fileOf(block)), block]));
  return output
    .split('\n')
    .filter((text) => text.trim() !== '')
    .map((text) => {
      const match = /^(.+?)\((\d+),(\d+)\): (.*)$/.exec(text);
      const block = match && byFile.get(match[1]);
      return block ? `${block.doc}:${block.line + Number(match[2])}: ${match[4]}` : text;
    });
}
