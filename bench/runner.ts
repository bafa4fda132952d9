/**
 * The bench's shared runner: a candidate and its baseline measured in alternating rounds (so that
 * the machine's noise hits both alike), medians, per-round ratios and their spread, and Markdown
 * tables. Scenarios (bench/scenarios/*.ts) use nothing else of each other.
 */
import { performance } from 'node:perf_hooks';

/** One measurement of one side in one round: ops/s, ms per op, bytes per entry… */
export type Measurement = () => Promise<number>;

/** The two sides' values in one round. */
export interface RoundPair {
  candidate: number;
  baseline: number;
}

export interface BenchSettings {
  /** Measured rounds per comparison (each runs the candidate once and the baseline once). */
  rounds: number;
  /** Rounds run first and thrown away (JIT warm-up, connection pools). */
  warmupRounds: number;
}

/**
 * Runs `warmupRounds` then `rounds` rounds; in each, both sides once, the candidate first in even
 * rounds and the baseline first in odd ones (AB BA AB …), so that neither always runs on a
 * warmer or a more tired machine. Resolves to the measured rounds' pairs.
 */
export async function interleave(
  settings: BenchSettings,
  candidate: Measurement,
  baseline: Measurement,
): Promise<RoundPair[]> {
  const pairs: RoundPair[] = [];
  for (let round = 0; round < settings.warmupRounds + settings.rounds; round++) {
    let c: number;
    let b: number;
    if (round % 2 === 0) {
      c = await candidate();
      b = await baseline();
    } else {
      b = await baseline();
      c = await candidate();
    }
    if (round >= settings.warmupRounds) pairs.push({ candidate: c, baseline: b });
  }
  return pairs;
}

/** Runs `op` one call after another for `durationMs`; resolves to calls per second. */
export async function opsPerSecond(
  op: () => Promise<unknown>,
  durationMs: number,
): Promise<number> {
  let ops = 0;
  const start = performance.now();
  const end = start + durationMs;
  let now = start;
  while (now < end) {
    await op();
    ops++;
    now = performance.now();
  }
  return ops / ((now - start) / 1000);
}

/** Runs `op(i)` for i = 0 … count-1, one after another; resolves to each call's time in ms. */
export async function latencies(
  count: number,
  op: (i: number) => Promise<unknown>,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await op(i);
    times.push(performance.now() - start);
  }
  return times;
}

/** Linear-interpolated quantile (0 ≤ q ≤ 1) of `values`. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export interface Summary {
  candidate: number;
  baseline: number;
  /** Median of the per-round ratios candidate / baseline. */
  ratio: number;
  ratioQ1: number;
  ratioQ3: number;
  ratioMin: number;
  ratioMax: number;
  rounds: number;
}

/** Medians of each side, and the per-round ratios' median, quartiles and range. */
export function summarize(pairs: readonly RoundPair[]): Summary {
  const ratios = pairs.map((pair) => pair.candidate / pair.baseline);
  return {
    candidate: median(pairs.map((pair) => pair.candidate)),
    baseline: median(pairs.map((pair) => pair.baseline)),
    ratio: median(ratios),
    ratioQ1: quantile(ratios, 0.25),
    ratioQ3: quantile(ratios, 0.75),
    ratioMin: Math.min(...ratios),
    ratioMax: Math.max(...ratios),
    rounds: pairs.length,
  };
}

/**
 * The per-request cost that the candidate adds, in µs, from rates (per second): the median over
 * rounds of 1/candidate − 1/baseline, each round's pair measured under the same load.
 */
export function addedMicros(pairs: readonly RoundPair[]): number {
  return median(pairs.map((pair) => 1e6 / pair.candidate - 1e6 / pair.baseline));
}

/** A row of a comparison table: what was measured, its unit, and which way is better. */
export interface Comparison {
  measure: string;
  unit: string;
  better: 'higher' | 'lower';
  pairs: readonly RoundPair[];
  /** The median ratio to reach: at least this when higher is better, at most when lower. */
  goal?: number;
}

/**
 * The comparison table every scenario prints: medians, the ratio and its spread; with goals,
 * each row's goal and whether its median ratio meets it.
 */
export function comparisonTable(rows: readonly Comparison[]): string {
  const withGoals = rows.some((row) => row.goal !== undefined);
  return markdownTable(
    [
      'measure',
      'candidate (median)',
      'baseline (median)',
      'ratio cand/base (median)',
      'ratio IQR',
      'ratio min–max',
      'rounds',
      ...(withGoals ? ['goal', 'met'] : []),
    ],
    rows.map((row) => {
      const s = summarize(row.pairs);
      const better = row.better === 'higher' ? '↑ better' : '↓ better';
      return [
        `${row.measure} (${row.unit}, ${better})`,
        num(s.candidate),
        num(s.baseline),
        `**${ratio(s.ratio)}**`,
        `${ratio(s.ratioQ1)}–${ratio(s.ratioQ3)}`,
        `${ratio(s.ratioMin)}–${ratio(s.ratioMax)}`,
        String(s.rounds),
        ...(withGoals ? goalCells(row, s.ratio) : []),
      ];
    }),
  );
}

function goalCells(row: Comparison, medianRatio: number): string[] {
  if (row.goal === undefined) return ['—', '—'];
  const met = row.better === 'higher' ? medianRatio >= row.goal : medianRatio <= row.goal;
  return [`${row.better === 'higher' ? '≥' : '≤'} ${ratio(row.goal)}`, met ? 'yes' : '**no**'];
}

/** A Markdown table with padded columns (numbers right-aligned). */
export function markdownTable(headers: readonly string[], rows: readonly string[][]): string {
  const widths = headers.map((header, col) =>
    Math.max(header.length, ...rows.map((row) => (row[col] ?? '').length)),
  );
  const numeric = headers.map((_, col) => rows.every((row) => /^[\d*,.×x–-]/.test(row[col] ?? '')));
  const line = (cells: readonly string[]) =>
    `| ${cells
      .map((cell, col) => (numeric[col] ? cell.padStart(widths[col]!) : cell.padEnd(widths[col]!)))
      .join(' | ')} |`;
  const rule = `| ${widths
    .map((width, col) => (numeric[col] ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width)))
    .join(' | ')} |`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/** A number with three significant digits (more for large ones), thousands separated. */
export function num(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** A ratio: two decimals, or two significant digits below 0.1 (0.0048, not 0.00). */
export function ratio(value: number): string {
  if (value >= 10) return value.toFixed(1);
  return value >= 0.1 ? value.toFixed(2) : value.toPrecision(2);
}

/** Fails the run when a fairness or correctness condition does not hold. */
export function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`bench check failed: ${message}`);
}

/** Progress on stderr (RESULTS.md and stdout are for the results). */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** What a scenario hands back: its Markdown section. */
export interface Scenario {
  /** Short name, for `npm run bench -- <name>`. */
  name: string;
  title: string;
  run(settings: BenchSettings): Promise<string>;
}
