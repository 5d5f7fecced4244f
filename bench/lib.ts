import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Row {
  name: string;
  [k: string]: string | number;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i] as number;
}

export const median = (xs: number[]): number => percentile(xs, 50);
export const ms = (n: number): string => `${n.toFixed(1)} ms`;

export function printTable(title: string, rows: Row[]): void {
  const cols = Object.keys(rows[0] ?? {});
  const w = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(w[i] ?? 0)).join(' | ')} |`;
  process.stdout.write(`\n${title}\n\n${line(cols)}\n|${w.map((n) => '-'.repeat(n + 2)).join('|')}|\n`);
  for (const r of rows) process.stdout.write(`${line(cols.map((c) => String(r[c])))}\n`);
}

/** Writes bench/results/NAME.json (in the source tree, next to the scripts). */
export function writeResults(name: string, data: unknown): string {
  const dir = path.resolve(fileURLToPath(import.meta.url), '../../../bench/results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), ...(data as object) }, null, 2)}\n`);
  return file;
}

export interface Scope {
  after(fn: () => unknown): void;
}

/** Runs fn with a `t.after`-style scope (the harness expects one, as node:test gives tests); cleans up in reverse order whatever happens. */
export async function scoped<T>(fn: (t: Scope) => Promise<T>): Promise<T> {
  const cleanups: (() => unknown)[] = [];
  try {
    return await fn({ after: (f) => void cleanups.push(f) });
  } finally {
    for (const f of cleanups.reverse()) await f();
  }
}

export { freePort } from '../src/lib/index.js';
