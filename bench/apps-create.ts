// apps:create latency: through the API (one HTTP request) and through the CLI
// (a whole `slipway apps:create` process), beside the floor of starting a bare
// `node -e ''` process in the same run.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { run } from '../src/lib/index.js';
import { BIN, cleanEnv, Daemon } from '../src/testkit/index.js';
import { median, ms, percentile, printTable, writeResults, type Row, scoped } from './lib.js';

export async function appsCreate(n = Number(process.env.BENCH_N ?? 200)): Promise<Row[]> {
  return scoped(async (t) => {
    const d = await Daemon.start(t);
    const api: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const r = await d.api('POST', '/v1/apps', { name: `api-${i}` });
      api.push(performance.now() - t0);
      if (r.status !== 201) throw new Error(`create failed: ${r.text}`);
    }
    const env = cleanEnv({ SLIPWAY_URL: d.info.api, SLIPWAY_TOKEN: d.token, XDG_CONFIG_HOME: mkdtempSync(path.join(os.tmpdir(), 'bench-cfg-')) });
    t.after(() => rmSync(env.XDG_CONFIG_HOME as string, { recursive: true, force: true }));
    const cli: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < n; i++) {
      // interleaved, so both see the same machine noise
      let t0 = performance.now();
      await run([process.execPath, '-e', ''], { env });
      bare.push(performance.now() - t0);
      t0 = performance.now();
      await run([process.execPath, BIN, 'apps:create', `cli-${i}`], { env });
      cli.push(performance.now() - t0);
    }
    const row = (name: string, xs: number[]): Row => ({ name, runs: xs.length, median: ms(median(xs)), p99: ms(percentile(xs, 99)) });
    const rows = [row('apps:create via API (HTTP)', api), row('apps:create via CLI (whole process)', cli), row("floor: bare `node -e ''` process", bare)];
    printTable(`apps:create latency (${n} creates each)`, rows);
    const file = writeResults('apps-create', {
      n,
      api: { median_ms: median(api), p99_ms: percentile(api, 99) },
      cli: { median_ms: median(cli), p99_ms: percentile(cli, 99) },
      node_floor: { median_ms: median(bare), p99_ms: percentile(bare, 99) },
      cli_over_floor_ms: median(cli) - median(bare),
    });
    process.stdout.write(`\nCLI overhead over a bare node start: ${ms(median(cli) - median(bare))} (median)\nwrote ${file}\n`);
    return rows;
  });
}
