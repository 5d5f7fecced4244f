// CLI start-up: everyday commands as whole `slipway` processes against a real
// daemon, interleaved with a bare `node -e ''` in the same run (issue 13's
// goal: reads within 1.5x of it).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { run } from '../src/lib/index.js';
import { Daemon, BIN, cleanEnv } from '../src/testkit/index.js';
import { median, ms, percentile, printTable, writeResults, type Row, scoped } from './lib.js';

export async function cli(n = Number(process.env.BENCH_N ?? 20)): Promise<Row[]> {
  return scoped(async (t) => {
    const d = await Daemon.start(t);
    for (let i = 0; i < 10; i++) await d.api('POST', '/v1/apps', { name: `app-${i}` });
    const env = cleanEnv({ SLIPWAY_URL: d.info.api, SLIPWAY_TOKEN: d.token, XDG_CONFIG_HOME: mkdtempSync(path.join(os.tmpdir(), 'bench-cfg-')) });
    t.after(() => rmSync(env.XDG_CONFIG_HOME as string, { recursive: true, force: true }));
    const cases: [string, (i: number) => string[]][] = [
      ["floor: bare `node -e ''`", () => [process.execPath, '-e', '']],
      ['slipway apps', () => [process.execPath, BIN, 'apps']],
      ['slipway ps -a app-0', () => [process.execPath, BIN, 'ps', '-a', 'app-0']],
      ['slipway config -a app-0', () => [process.execPath, BIN, 'config', '-a', 'app-0']],
    ];
    // BENCH_REF_BIN=/path/to/other/dist/src/bin.js adds that build's `apps` for a before/after in the same run.
    const ref = process.env.BENCH_REF_BIN;
    if (ref) cases.push([`reference build: slipway apps (${ref})`, () => [process.execPath, ref, 'apps']]);
    const times = cases.map((): number[] => []);
    const api: number[] = [];
    for (let i = 0; i < n; i++) {
      for (const [k, [, argv]] of cases.entries()) {
        const t0 = performance.now();
        await run(argv(i), { env }).catch((err: unknown) => {
          throw new Error(`${argv(i).slice(2).join(' ')} failed; server log tail:\n${d.stderr.slice(-2000)}`, { cause: err });
        });
        times[k]?.push(performance.now() - t0);
      }
      const t0 = performance.now();
      await d.api('GET', '/v1/apps');
      api.push(performance.now() - t0);
    }
    const floor = median(times[0] ?? []);
    const rows: Row[] = cases.map(([name], k) => {
      const xs = times[k] ?? [];
      return { name, runs: xs.length, median: ms(median(xs)), p90: ms(percentile(xs, 90)), 'x floor': (median(xs) / floor).toFixed(2) };
    });
    rows.push({ name: 'context: GET /v1/apps over HTTP (server time, same run)', runs: api.length, median: ms(median(api)), p90: ms(percentile(api, 90)), 'x floor': '' });
    printTable(`CLI start-up (${n} interleaved rounds, 10 apps)`, rows);
    const file = writeResults('cli', {
      n,
      cases: Object.fromEntries(cases.map(([name], k) => [name, { median_ms: median(times[k] ?? []), p90_ms: percentile(times[k] ?? [], 90), over_floor: median(times[k] ?? []) / floor }])),
      api_list: { median_ms: median(api), p90_ms: percentile(api, 90) },
    });
    process.stdout.write(`wrote ${file}\n`);
    return rows;
  });
}
