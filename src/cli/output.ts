/** Data goes to stdout; progress, notices and errors to stderr. */
export interface Output {
  out(line?: string): void;
  err(line?: string): void;
  json(value: unknown): void;
  table(rows: Record<string, string>[], columns: string[]): void;
  /** "Doing X... " now, "done, v3" when it finishes; on stderr so stdout stays data. */
  progress<T>(what: string, work: () => Promise<T>, done?: (r: T) => string): Promise<T>;
}

export function makeOutput(stdout: NodeJS.WritableStream = process.stdout, stderr: NodeJS.WritableStream = process.stderr): Output {
  return {
    out: (line = '') => void stdout.write(`${line}\n`),
    err: (line = '') => void stderr.write(`${line}\n`),
    json: (value) => void stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    table(rows, columns) {
      const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? '').length)));
      const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
      stdout.write(`${line(columns.map((c) => c.toUpperCase()))}\n`);
      for (const r of rows) stdout.write(`${line(columns.map((c) => r[c] ?? ''))}\n`);
    },
    async progress(what, work, done) {
      stderr.write(`${what}... `);
      try {
        const r = await work();
        stderr.write(`${done ? done(r) : 'done'}\n`);
        return r;
      } catch (err) {
        stderr.write('failed\n');
        throw err;
      }
    },
  };
}

/** Key: value lines with aligned values, as Heroku prints config and info. */
export function keyValues(pairs: [string, string][]): string[] {
  const w = Math.max(0, ...pairs.map(([k]) => k.length + 1));
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(w)} ${v}`);
}
