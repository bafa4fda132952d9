/**
 * docs/emulator.md's client examples are the conformance suite's code: every code block of its
 * "Pointing Google's clients at it" section appears, line for line, in a file under
 * test/conformance/<language>/, which test/e2e/conformance runs against the emulator (a shell
 * block command by command).
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SECTION = "## Pointing Google's clients at it";
/** Code block language → folder of test/conformance. */
const FOLDERS: Readonly<Record<string, string>> = {
  ts: 'node',
  python: 'python',
  go: 'go',
  sh: 'curl',
};

interface CodeBlock {
  language: string;
  lines: string[];
  /** 1-based line of the opening fence in the doc. */
  line: number;
}

function sectionBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(SECTION);
  if (start < 0) throw new Error(`docs/emulator.md has no "${SECTION}" section`);
  const blocks: CodeBlock[] = [];
  let open: CodeBlock | undefined;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (!open && line.startsWith('## ')) break;
    // The language, then any words (```ts fragment: see docs/development.md).
    const fence = /^\s*```(\w*)(?:[ \t]+[\w-]+)*\s*$/.exec(line);
    if (fence && !open) open = { language: fence[1] ?? '', lines: [], line: i + 1 };
    else if (fence && open) {
      blocks.push(open);
      open = undefined;
    } else if (open) open.lines.push(line);
  }
  return blocks;
}

/** Lines without their common indentation and trailing spaces. */
function dedent(lines: string[]): string[] {
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length);
  const common = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(common).trimEnd());
}

function paragraphs(lines: string[]): string[][] {
  const out: string[][] = [[]];
  for (const line of lines) {
    if (line.trim() === '') out.push([]);
    else out.at(-1)!.push(line);
  }
  return out.filter((part) => part.length > 0);
}

function contains(file: string[], block: string[]): boolean {
  const wanted = dedent(block).join('\n');
  for (let i = 0; i + block.length <= file.length; i++) {
    if (dedent(file.slice(i, i + block.length)).join('\n') === wanted) return true;
  }
  return false;
}

describe('docs/emulator.md client examples', () => {
  const blocks = sectionBlocks(readFileSync(join(ROOT, 'docs/emulator.md'), 'utf8'));

  it('has an example in each language', () => {
    expect(new Set(blocks.map((b) => b.language))).toEqual(new Set(Object.keys(FOLDERS)));
  });

  it.each(blocks.map((b) => [`${b.language} block at line ${b.line}`, b] as const))(
    '%s is code the conformance suite runs',
    (_name, block) => {
      const folder = FOLDERS[block.language];
      expect(folder).toBeDefined();
      const dir = join(ROOT, 'test/conformance', folder!);
      const files = readdirSync(dir).map((name) =>
        readFileSync(join(dir, name), 'utf8').split('\n'),
      );
      // A shell block is commands separated by blank lines, each one an example of its own.
      const parts = block.language === 'sh' ? paragraphs(block.lines) : [block.lines];
      for (const part of parts) {
        expect({ part, found: files.some((file) => contains(file, part)) }).toEqual({
          part,
          found: true,
        });
      }
    },
  );
});
