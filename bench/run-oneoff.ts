// Time from `slipway run -a APP -- true` to its exit (a fresh sandboxed
// one-off instance of the release, attached over an HTTP upgrade), median of
// 10, beside a bare `node -e 0` spawn in the same run.
import { performance } from 'node:perf_hooks';
import { run } from '../src/lib/index.js';
import { cleanEnv, Daemon } from '../src/testkit/index.js';
import { median, ms, percentile, printTable, writeResults, type Row, scoped } from './lib.js';

export async function runOneOff(n = Number(process.env.BENCH_N ?? 10)): Promise<Row[]> {
  return scoped(async (t) => {
    const d = await Daemon.start(t);
    await d.appFromFixture(t, 'oneoff', 'web-worker');
    const runs: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < n; i++) {
      let t0 = performance.now();
      await run([process.execPath, '-e', '0'], { env: cleanEnv() });
      bare.push(performance.now() - t0);
      t0 = performance.now();
      const r = await d.cli(['run', '-a', 'oneoff', '--', 'true']);
      if (r.exitCode !== 0) throw new Error(r.stderr);
      runs.push(performance.now() - t0);
    }
    const row = (name: string, xs: number[]): Row => ({ name, runs: xs.length, median: ms(median(xs)), min: ms(Math.min(...xs)), p90: ms(percentile(xs, 90)) });
    const rows = [row('slipway run -a APP -- true (command start → exit)', runs), row("floor: bare `node -e 0` spawn", bare)];
    printTable(`one-off run latency (${n} runs each, interleaved)`, rows);
    process.stdout.write(`\nwrote ${writeResults('run-oneoff', { n, run_ms: runs, node_ms: bare, run_median_ms: median(runs), node_median_ms: median(bare) })}\n`);
    return rows;
  });
}
