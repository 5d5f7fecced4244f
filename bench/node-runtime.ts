// engines.node: what a redeploy spends choosing and finding the Node an app
// pins (the figure the build log prints: "from the shared runtime cache (N ms)"),
// and git push → release ready for that app vs the same app on the host's Node
// (no engines.node), interleaved, median of 5. The first push of the pinned
// app fills the runtime cache (a download when the machine has never seen
// that version) and is reported apart.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { commitAll, Daemon } from '../src/testkit/index.js';
import { median, ms, percentile, printTable, writeResults, type Row, scoped } from './lib.js';

export async function nodeRuntime(n = Number(process.env.BENCH_N ?? 5)): Promise<Row[]> {
  return scoped(async (t) => {
    const d = await Daemon.start(t);
    const pinned = await d.appFromFixture(t, 'pinned', 'node-engines', { push: false });
    const host = await d.appFromFixture(t, 'hostnode', 'node-engines', { push: false });
    const pkg = path.join(host, 'package.json');
    const data = JSON.parse(readFileSync(pkg, 'utf8')) as { engines?: unknown };
    delete data.engines;
    writeFileSync(pkg, JSON.stringify(data, null, 2));
    await commitAll(host, 'the host Node');
    const first = await push(d, pinned);
    await push(d, host);

    const runtime: number[] = [];
    const pinnedPush: number[] = [];
    const hostPush: number[] = [];
    for (let i = 0; i < n; i++) {
      for (const [dir, out] of [[pinned, pinnedPush], [host, hostPush]] as const) {
        appendFileSync(path.join(dir, 'server.js'), `// change ${i}\n`);
        await commitAll(dir, `change ${i}`);
        const r = await push(d, dir);
        out.push(r.ms);
        if (dir === pinned) runtime.push(Number(/from the shared runtime cache \((\d+) ms\)/.exec(r.log)?.[1] ?? NaN));
      }
    }
    const row = (name: string, xs: number[]): Row => ({ name, runs: xs.length, median: ms(median(xs)), min: ms(Math.min(...xs)), max: ms(percentile(xs, 100)) });
    const rows = [
      row('redeploy: choosing + finding the pinned Node (build log)', runtime),
      row('git push → ready, engines.node "22.x"', pinnedPush),
      row('git push → ready, host Node (no engines.node)', hostPush),
    ];
    printTable(`engines.node, ${n} interleaved redeploys each`, rows);
    const ratio = median(pinnedPush) / median(hostPush);
    process.stdout.write(`\nfirst push of the pinned app: ${ms(first.ms)} (${/(installed into|from) the shared runtime cache \(\d+ ms\)/.exec(first.log)?.[0] ?? '?'})\n`);
    process.stdout.write(`goal: the runtime step of a redeploy under 100 ms (median ${ms(median(runtime))}); pinned/host push ratio ${ratio.toFixed(2)}\n`);
    process.stdout.write(`wrote ${writeResults('node-runtime', { n, runtime_ms: runtime, pinned_push_ms: pinnedPush, host_push_ms: hostPush, first_push_ms: first.ms, ratio })}\n`);
    return rows;
  });
}

async function push(d: Daemon, dir: string): Promise<{ ms: number; log: string }> {
  const t0 = performance.now();
  const r = await d.git(['push', 'slipway', 'main'], dir);
  if (r.exitCode !== 0) throw new Error(r.stderr);
  return { ms: performance.now() - t0, log: r.stderr };
}
