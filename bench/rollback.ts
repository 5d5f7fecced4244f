// Rollback: time from running `slipway rollback` to the old body being served
// through the router (polled every 10 ms), median of 5, alternating between
// two releases of the web-worker fixture. Also a config:set, which restarts
// the app the same way. No build runs in either.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { commitAll, Daemon, httpGet } from '../src/testkit/index.js';
import { median, ms, percentile, printTable, writeResults, type Row, scoped } from './lib.js';

export async function rollback(n = Number(process.env.BENCH_N ?? 5)): Promise<Row[]> {
  return scoped(async (t) => {
    const d = await Daemon.start(t);
    const dir = await d.appFromFixture(t, 'rollbk', 'web-worker', { push: false });
    await mustPush(d, dir);
    const server = path.join(dir, 'server.cjs');
    writeFileSync(server, readFileSync(server, 'utf8').replace("'hello'", "'second'"));
    await commitAll(dir, 'second');
    await mustPush(d, dir);
    const host = `rollbk.localhost:${new URL(d.info.router).port}`;
    const body = async (): Promise<string> => (await httpGet(`${d.info.router}/`, { host })).body;

    const rollbacks: number[] = [];
    const configs: number[] = [];
    for (let i = 0; i < n; i++) {
      // alternate between v2 ("hello ...") and v3 ("second ...")
      const [version, want] = i % 2 === 0 ? ['v2', 'hello'] : ['v3', 'second'];
      const t0 = performance.now();
      const r = await d.cli(['rollback', '-a', 'rollbk', version]);
      if (r.exitCode !== 0) throw new Error(r.stderr);
      await until(body, want);
      rollbacks.push(performance.now() - t0);

      const t1 = performance.now();
      const c = await d.cli(['config:set', '-a', 'rollbk', `GREETING=g${i}`]);
      if (c.exitCode !== 0) throw new Error(c.stderr);
      await until(body, `g${i} `);
      configs.push(performance.now() - t1);
    }
    const row = (name: string, xs: number[]): Row => ({ name, runs: xs.length, median: ms(median(xs)), min: ms(Math.min(...xs)), max: ms(percentile(xs, 100)) });
    const rows = [row('slipway rollback → old body served', rollbacks), row('slipway config:set → new value served', configs)];
    printTable(`rollback and config:set, command start → body served (${n} runs)`, rows);
    process.stdout.write(`\ngoal: rollback under 1000 ms (median ${ms(median(rollbacks))})\nwrote ${writeResults('rollback', { n, rollback_ms: rollbacks, config_set_ms: configs, rollback_median_ms: median(rollbacks), config_set_median_ms: median(configs) })}\n`);
    return rows;
  });
}

/** Polls every 10 ms until the body starts with `want`; gives up after 30 s. */
async function until(body: () => Promise<string>, want: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = '';
  while (!(last = await body()).startsWith(want)) {
    if (Date.now() > deadline) throw new Error(`still serving ${JSON.stringify(last)} instead of ${want}…`);
    await new Promise((res) => setTimeout(res, 10));
  }
}

async function mustPush(d: Daemon, dir: string): Promise<void> {
  const r = await d.git(['push', 'slipway', 'main'], dir);
  if (r.exitCode !== 0) throw new Error(r.stderr);
}
