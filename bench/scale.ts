// Cost as the number of apps grows: at 1, 10, 100 and 1000 apps
// (BENCH_SIZES=1,10,100 for a shorter run) on one daemon, as a user drives
// it: apps:create and apps:destroy through the API (fetch and curl) and the
// CLI, a deploy's push → first 200 through the router, the daemon's and
// HAProxy's memory, router reloads, and a daemon restart → serving again.
// The apps are created empty (no build: 1000 builds would take the run's
// hour); one app per size is deployed and served.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { run, waitFor } from '../src/lib/index.js';
import { BIN, cleanEnv, Daemon, httpGet } from '../src/testkit/index.js';
import { median, ms, percentile, printTable, writeResults, type Row, scoped } from './lib.js';

const PROBES = Number(process.env.BENCH_PROBES ?? 20);

/** RSS in MB of a pid, from /proc. */
function rssMb(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

/** HAProxy's master and workers of this daemon (their command line names its home). */
function haproxyRssMb(home: string): number {
  let total = 0;
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      if (path.basename(cmd[0] ?? '') === 'haproxy' && cmd.some((a) => a.startsWith(home))) total += rssMb(Number(p));
    } catch {
      continue; // gone meanwhile
    }
  }
  return total;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function mustApi(d: Daemon, method: string, p: string, body?: unknown): Promise<void> {
  const r = await d.api(method, p, body);
  if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${r.text}\nserver log tail:\n${d.stderr.slice(-1500)}`);
}

/** curl's own time for the request (no process start-up in it). */
async function curlCreate(d: Daemon, name: string): Promise<number> {
  const r = await run(['curl', '-sS', '-o', '/dev/null', '-w', '%{http_code} %{time_total}', '-X', 'POST', '-H', `authorization: Bearer ${d.token}`, '-H', 'content-type: application/json', '--data', JSON.stringify({ name }), `${d.info.api}/v1/apps`]);
  const [code, secs] = r.stdout.trim().split(' ');
  if (code !== '201') throw new Error(`curl create ${name}: ${code}`);
  return Number(secs) * 1000;
}

async function firstServed(d: Daemon, app: string, timeoutMs = 120_000): Promise<void> {
  const url = d.info.router;
  await waitFor(async () => (await httpGet(url, { host: `${app}.${d.info.domain}` }, { timeoutMs: 5000 }).catch(() => ({ status: 0 }))).status === 200, { timeoutMs, intervalMs: 10, what: `${app} served` });
}

export async function scale(): Promise<Row[]> {
  const sizes = (process.env.BENCH_SIZES ?? '1,10,100,1000').split(',').map(Number);
  return scoped(async (t) => {
    const d = await Daemon.start(t);
    const rows: Row[] = [];
    const results: Record<string, unknown>[] = [];
    let count = 0;
    for (const size of sizes) {
      while (count < size) await mustApi(d, 'POST', '/v1/apps', { name: `app-${count++}` });
      // the API port changes at each restart (port 0)
      const env = cleanEnv({ SLIPWAY_URL: d.info.api, SLIPWAY_TOKEN: d.token, XDG_CONFIG_HOME: d.configHome });
      // The population stays at `size`: every probe app is destroyed again.
      const api: number[] = [];
      const destroy: number[] = [];
      const curl: number[] = [];
      const cli: number[] = [];
      const floor: number[] = [];
      for (let i = 0; i < PROBES; i++) {
        api.push(await timed(() => mustApi(d, 'POST', '/v1/apps', { name: `probe-${i}` })));
        curl.push(await curlCreate(d, `curl-${i}`));
        if (i < 5) {
          floor.push(await timed(() => run([process.execPath, '-e', ''], { env })));
          cli.push(await timed(() => run([process.execPath, BIN, 'apps:create', `cli-${i}`], { env })));
        }
      }
      for (let i = 0; i < PROBES; i++) {
        destroy.push(await timed(() => mustApi(d, 'DELETE', `/v1/apps/probe-${i}`)));
        await mustApi(d, 'DELETE', `/v1/apps/curl-${i}`);
        if (i < 5) await mustApi(d, 'DELETE', `/v1/apps/cli-${i}`);
      }
      // A deploy at this size: push → first 200 through the router.
      const app = `dep-${size}`;
      const repo = await d.appFromFixture(t, app, 'procfile-only', { push: false });
      count++;
      const deploy = await timed(async () => {
        const push = await d.git(['push', 'slipway', 'main'], repo);
        if (push.exitCode !== 0) throw new Error(`push to ${app}: ${push.stderr}`);
        await firstServed(d, app);
      });
      const daemonRss = rssMb(d.info.pid);
      const haproxyRss = haproxyRssMb(d.home);
      const metrics = (await d.api('GET', '/metrics')).text;
      const reloads = Number(/^slipway_router_reloads_total (\d+)/m.exec(metrics)?.[1] ?? NaN);
      // Restart: SIGTERM, start again, until the deployed app answers through the router.
      await d.stop('SIGTERM');
      const restart = await timed(async () => {
        await d.boot();
        await firstServed(d, app);
      });
      const r = {
        size,
        api_create_p50: median(api), api_create_p99: percentile(api, 99),
        curl_create_p50: median(curl), curl_create_p99: percentile(curl, 99),
        api_destroy_p50: median(destroy), api_destroy_p99: percentile(destroy, 99),
        cli_create_p50: median(cli), node_floor_p50: median(floor),
        deploy_push_to_served_ms: deploy, daemon_rss_mb: daemonRss, haproxy_rss_mb: haproxyRss,
        router_reloads: reloads, restart_to_served_ms: restart,
      };
      results.push(r);
      rows.push({
        name: `${size} apps`,
        'create p50/p99 (fetch)': `${ms(r.api_create_p50)} / ${ms(r.api_create_p99)}`,
        'create p50 (curl)': ms(r.curl_create_p50),
        'destroy p50': ms(r.api_destroy_p50),
        'CLI create p50 (node floor)': `${ms(r.cli_create_p50)} (${ms(r.node_floor_p50)})`,
        'push→served': ms(deploy),
        'daemon / haproxy RSS': `${daemonRss.toFixed(0)} / ${haproxyRss.toFixed(0)} MB`,
        reloads,
        'restart→served': ms(restart),
      });
      process.stderr.write(`scale: ${size} apps done\n`);
    }
    printTable(`Cost by number of apps (${PROBES} probe creates/destroys per size)`, rows);
    const first = results[0] as { api_create_p50: number; size: number } | undefined;
    const last = results.at(-1) as { api_create_p50: number; size: number } | undefined;
    const ten = (results.find((r) => r.size === 10) ?? first) as { api_create_p50: number } | undefined;
    if (ten && last) process.stdout.write(`\napps:create p50 at ${last.size} apps ÷ at 10: ${(last.api_create_p50 / ten.api_create_p50).toFixed(2)}\n`);
    process.stdout.write(`wrote ${writeResults('scale', { sizes: results })}\n`);
    return rows;
  });
}
