// Scale-to-zero cold start: time from a request sent through the router to
// an app scaled to zero until its response headers arrive (the activator
// holds it, wakes one sandboxed instance, passes it on), for a Procfile Node
// app and a function app, beside the floor — a bare `node server.cjs` of the
// same fixture, spawned and polled every ~2 ms until it answers. Interleaved
// rounds after BENCH_WARMUP uncounted ones (a fresh daemon's first wakes are
// slower), medians, and where the time goes from the daemon's own log. Then
// the warm router overhead: sequential keep-alive GETs straight to the
// instance's port and through the router, in blocks.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Daemon, FIXTURES } from '../src/testkit/index.js';
import { sleep } from '../src/lib/index.js';
import { freePort, median, ms, percentile, printTable, writeResults, type Row, scoped } from './lib.js';

interface Ps {
  instances: { name: string; type: string; state: string; port?: number }[];
  formation: { type: string; quantity: number }[];
  autoscale: { type: string; min: number; max: number; status: string }[];
}

interface Timed {
  status: number;
  body: string;
  /** send → response headers */
  ttfb: number;
  /** send → last byte */
  total: number;
  /** performance.now() when the headers arrived */
  headersAt: number;
  /** Date.now() at send and at headers, to line up with the daemon's log */
  sentWall: number;
  headersWall: number;
}

/** One GET; times from just before the request is written to its response headers (and to its end). */
function timedGet(port: number, urlPath: string, opts: { host?: string; agent?: http.Agent | false; timeoutMs?: number } = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (opts.host) headers.host = opts.host;
    const sentWall = Date.now();
    const t0 = performance.now();
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, headers, agent: opts.agent ?? false }, (res) => {
      const headersAt = performance.now();
      const headersWall = Date.now();
      const ttfb = headersAt - t0;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ttfb, total: performance.now() - t0, headersAt, sentWall, headersWall }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(opts.timeoutMs ?? 30_000, () => req.destroy(new Error(`GET :${port}${urlPath} timed out`)));
  });
}

/**
 * The floor: `node server.cjs` of the fixture with a clean env, polled with a
 * fresh connection every ~2 ms; spawn → first response headers.
 */
async function floorOnce(dir: string, script = 'server.cjs', want = 'hello from web.1 GET /floor'): Promise<number> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, [script], { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PORT: String(port), DYNO: 'web.1' }, stdio: 'ignore' });
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    for (;;) {
      if (exited) throw new Error('floor: node server.cjs exited');
      if (performance.now() - t0 > 10_000) throw new Error('floor: no answer in 10 s');
      try {
        const r = await timedGet(port, '/floor', { timeoutMs: 2000 });
        if (r.status !== 200 || !r.body.startsWith(want)) throw new Error(`floor answered ${r.status} ${JSON.stringify(r.body)}`);
        return r.headersAt - t0;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ECONNREFUSED') throw e;
      }
      await sleep(2);
    }
  } finally {
    if (!exited) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    }
  }
}

export async function coldStart(n = Number(process.env.BENCH_N ?? 20), warmN = Number(process.env.BENCH_WARM ?? 2000), warmup = Number(process.env.BENCH_WARMUP ?? 2)): Promise<Row[]> {
  return scoped(async (t) => {
    const d = await Daemon.start(t);
    const routerPort = Number(new URL(d.info.router).port);
    const must = async (method: string, p: string, body?: unknown): Promise<any> => {
      const r = await d.api(method, p, body);
      if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${r.text}`);
      return r.json;
    };
    const ps = async (app: string): Promise<Ps> => (await must('GET', `/v1/apps/${app}/ps`)) as Ps;

    const apps = {
      node: { app: 'cold-node', fixture: 'scale-zero', want: (p: string) => `hello from web.1 GET ${p}\n` },
      fn: { app: 'cold-fn', fixture: 'function-hello', want: (p: string) => `hello from a function GET ${p}\n` },
    };
    for (const a of Object.values(apps)) {
      await d.appFromFixture(t, a.app, a.fixture);
      await must('PUT', `/v1/apps/${a.app}/autoscale/web`, { min: 0, max: 1, idle_seconds: 3600 });
    }

    const toZero = async (app: string): Promise<void> => {
      await must('PATCH', `/v1/apps/${app}/formation`, { updates: [{ type: 'web', quantity: 0 }] });
      const deadline = Date.now() + 15_000;
      for (;;) {
        const p = await ps(app);
        if (!p.instances.some((i) => i.type === 'web') && p.autoscale[0]?.status === 'idle') return;
        if (Date.now() > deadline) throw new Error(`${app} did not scale to zero: ${JSON.stringify(p)}`);
        await sleep(20);
      }
    };
    const coldOnce = async (a: (typeof apps)['node'], i: number): Promise<Timed> => {
      await toZero(a.app);
      await sleep(50); // let the scale-down's own work settle
      const p = `/cold-${i}`;
      const r = await timedGet(routerPort, p, { host: `${a.app}.localhost:${routerPort}` });
      if (r.status !== 200 || r.body !== a.want(p)) throw new Error(`${a.app} cold request answered ${r.status} ${JSON.stringify(r.body)}`);
      return r;
    };

    const floorDir = path.join(FIXTURES, 'apps', 'scale-zero');
    // Context for the function: the same runtime and handler started bare (what the function buildpack's compile lays out)
    const fnDir = mkdtempSync(path.join(os.tmpdir(), 'cold-fn-floor-'));
    t.after(() => rmSync(fnDir, { recursive: true, force: true }));
    mkdirSync(path.join(fnDir, '.slipway'));
    copyFileSync(path.join(FIXTURES, 'apps', 'function-hello', 'handler.mjs'), path.join(fnDir, 'handler.mjs'));
    copyFileSync(path.join(FIXTURES, '..', 'src', 'buildpacks', 'builtin', 'function', 'lib', 'runtime.mjs'), path.join(fnDir, '.slipway', 'function-runtime.mjs'));
    writeFileSync(path.join(fnDir, '.slipway', 'function-handler'), 'handler.mjs\n');
    const fnFloor: number[] = [];
    const floor: number[] = [];
    const node: Timed[] = [];
    const fn: Timed[] = [];
    const total = warmup + n;
    for (let i = 0; i < total; i++) {
      // rotate the order so none of the three always follows the same one
      const steps = [
        async () => floor.push(await floorOnce(floorDir)),
        async () => node.push(await coldOnce(apps.node, i)),
        async () => fn.push(await coldOnce(apps.fn, i)),
        async () => fnFloor.push(await floorOnce(fnDir, '.slipway/function-runtime.mjs', 'hello from a function GET /floor')),
      ];
      for (let k = 0; k < steps.length; k++) await (steps[(i + k) % steps.length] as () => Promise<unknown>)();
      const tag = i < warmup ? `warm-up ${i + 1}/${warmup}` : `round ${i - warmup + 1}/${n}`;
      process.stderr.write(`bench cold-start: ${tag}: floor ${ms(floor.at(-1) as number)}, bare fn ${ms(fnFloor.at(-1) as number)}, node ${ms((node.at(-1) as Timed).ttfb)}, function ${ms((fn.at(-1) as Timed).ttfb)}\n`);
    }
    const nodeMs = node.slice(warmup).map((r) => r.ttfb);
    const fnMs = fn.slice(warmup).map((r) => r.ttfb);
    const floorMs = floor.slice(warmup);
    const nodeLog = (await d.cli(['logs', '-a', 'cold-node', '-n', '2000'])).stdout;
    const fnLog = (await d.cli(['logs', '-a', 'cold-fn', '-n', '2000'])).stdout;
    const nodeWakes = wakes(nodeLog, node).slice(warmup);
    const fnWakes = wakes(fnLog, fn).slice(warmup);

    // Warm: cold-node is up (the last round woke it)
    const web = (await ps('cold-node')).instances.find((x) => x.type === 'web' && x.state === 'up');
    if (!web?.port) throw new Error('cold-node has no web instance up for the warm run');
    const directAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const routerAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const host = `cold-node.localhost:${routerPort}`;
    const direct: number[] = [];
    const routed: number[] = [];
    const one = async (port: number, agent: http.Agent, h: string | undefined, out: number[]): Promise<void> => {
      const r = await timedGet(port, '/warm', { agent, host: h });
      if (r.status !== 200) throw new Error(`warm GET :${port} answered ${r.status} ${r.body}`);
      out.push(r.total);
    };
    // a few to open the connections (not counted)
    for (let i = 0; i < 20; i++) {
      await one(web.port, directAgent, undefined, []);
      await one(routerPort, routerAgent, host, []);
    }
    for (let done = 0; done < warmN; done += 100) {
      const blocks: [number, http.Agent, string | undefined, number[]][] = [
        [web.port, directAgent, undefined, direct],
        [routerPort, routerAgent, host, routed],
      ];
      if ((done / 100) % 2 === 1) blocks.reverse();
      for (const [port, agent, h, out] of blocks) for (let k = 0; k < Math.min(100, warmN - done); k++) await one(port, agent, h, out);
    }
    directAgent.destroy();
    routerAgent.destroy();

    const f = median(floorMs);
    const row = (name: string, xs: number[]): Row => ({
      name,
      runs: xs.length,
      median: ms(median(xs)),
      p90: ms(percentile(xs, 90)),
      min: ms(Math.min(...xs)),
      max: ms(percentile(xs, 100)),
      '÷ floor': (median(xs) / f).toFixed(2),
    });
    const fnFloorMs = fnFloor.slice(warmup);
    const rows = [
      row('floor: bare `node server.cjs`, spawn → first answer', floorMs),
      row('cold-node (Procfile node app), request → headers', nodeMs),
      row('cold-fn (function app), request → headers', fnMs),
      { ...row('context: bare function runtime + handler, spawn → first answer', fnFloorMs), '÷ floor': `${(median(fnFloorMs) / f).toFixed(2)} (cold-fn ÷ this: ${(median(fnMs) / median(fnFloorMs)).toFixed(2)})` },
    ];
    printTable(`cold start from zero through the router, time to first byte (${n} rounds, interleaved, after ${warmup} uncounted)`, rows);
    const phaseRows = [phaseRow('cold-node', nodeWakes), phaseRow('cold-fn', fnWakes)];
    printTable('where a cold start goes: medians per phase from the daemon log (ms clock; phases need not add up to the total exactly)', phaseRows);
    const warmRows: Row[] = [
      { name: 'direct to the instance port', runs: direct.length, p50: `${median(direct).toFixed(3)} ms`, p99: `${percentile(direct, 99).toFixed(3)} ms` },
      { name: 'through the router', runs: routed.length, p50: `${median(routed).toFixed(3)} ms`, p99: `${percentile(routed, 99).toFixed(3)} ms` },
    ];
    printTable(`warm, sequential keep-alive GETs (blocks of 100, interleaved)`, warmRows);
    const overhead = median(routed) - median(direct);
    const goal = (name: string, xs: number[]): string => `  ${name}: ${(median(xs) / f).toFixed(2)}× the floor (${ms(median(xs))} vs ${ms(f)}): ${median(xs) <= 1.3 * f ? 'met' : 'NOT met'}`;
    process.stdout.write(
      `\ngoal: cold start within 1.3× of the floor (≤ ${ms(1.3 * f)})\n${goal('cold-node', nodeMs)}\n${goal('cold-fn', fnMs)}\n` +
        `goal: warm router overhead < 1 ms at p50: ${overhead.toFixed(3)} ms: ${overhead < 1 ? 'met' : 'NOT met'}\n`,
    );
    const file = writeResults('cold-start', {
      n,
      warmup,
      floor_ms: floorMs,
      function_runtime_bare_ms: fnFloorMs,
      cold_node_ms: nodeMs,
      cold_fn_ms: fnMs,
      warmup_ms: { floor: floor.slice(0, warmup), cold_node: node.slice(0, warmup).map((r) => r.ttfb), cold_fn: fn.slice(0, warmup).map((r) => r.ttfb) },
      medians: { floor: f, cold_node: median(nodeMs), cold_fn: median(fnMs), function_runtime_bare: median(fnFloorMs) },
      ratio_vs_floor: { cold_node: median(nodeMs) / f, cold_fn: median(fnMs) / f, goal: '≤ 1.3×' },
      warm: {
        n: warmN,
        direct_ms: direct,
        router_ms: routed,
        direct_p50_ms: median(direct),
        direct_p99_ms: percentile(direct, 99),
        router_p50_ms: median(routed),
        router_p99_ms: percentile(routed, 99),
        overhead_p50_ms: overhead,
        goal: '< 1 ms at p50',
      },
      // per counted wake, from the daemon log (Date ms) and the client's wall clock
      phases_ms: { cold_node: nodeWakes, cold_fn: fnWakes },
    });
    process.stdout.write(`wrote ${file}\n`);
    if (process.env.BENCH_LOGS) process.stdout.write(`\n--- cold-node logs ---\n${nodeLog}\n--- cold-fn logs ---\n${fnLog}\n`);
    return [...rows, ...phaseRows, ...warmRows];
  });
}

interface Wake {
  /** client send → the activator holds it and asks for a wake */
  to_activator: number;
  /** wake asked → the supervisor logs `Starting process` */
  to_starting: number;
  /** `Starting process` → the app's first output (only apps that print one: the function runtime's `function listening`) */
  to_first_output: number | null;
  /** `Starting process` → `State changed from starting to up` (sandbox, runtime start, listen, readiness GET /) */
  starting_to_up: number;
  /** up → client has the response headers (the activator passes the request on, the app answers) */
  up_to_headers: number;
  /** the activator's own `woke from idle in N ms` */
  activator_says: number;
  total: number;
}

/**
 * Splits an app's log into wakes (each begins with the activator's `a request
 * arrived` line) and lines each up with the request that caused it.
 */
function wakes(log: string, reqs: Timed[]): Wake[] {
  const ts = (l: string): number => Date.parse(l.slice(0, 24));
  const found: { arrived: number; starting?: number; output?: number; up?: number; said?: number }[] = [];
  for (const l of log.split('\n')) {
    if (/Activator: a request arrived while the app is scaled to zero/.test(l)) found.push({ arrived: ts(l) });
    const w = found.at(-1);
    if (!w) continue;
    if (w.starting === undefined && /: Starting process/.test(l)) w.starting = ts(l);
    else if (w.output === undefined && w.up === undefined && / app\[web\.1\]: /.test(l)) w.output = ts(l);
    else if (w.up === undefined && /State changed from starting to up/.test(l)) w.up = ts(l);
    const m = /woke from idle in (\d+) ms/.exec(l);
    if (m && w.said === undefined) w.said = Number(m[1]);
  }
  if (found.length !== reqs.length) throw new Error(`the log shows ${found.length} wakes for ${reqs.length} cold requests`);
  return found.map((w, i) => {
    const r = reqs[i] as Timed;
    const starting = w.starting ?? NaN;
    const up = w.up ?? NaN;
    return {
      to_activator: w.arrived - r.sentWall,
      to_starting: starting - w.arrived,
      to_first_output: w.output === undefined ? null : w.output - starting,
      starting_to_up: up - starting,
      up_to_headers: r.headersWall - up,
      activator_says: w.said ?? NaN,
      total: r.ttfb,
    };
  });
}

function phaseRow(name: string, ws: Wake[]): Row {
  const m = (k: keyof Wake): string => {
    const xs = ws.map((w) => w[k]).filter((x): x is number => x !== null);
    return xs.length ? `${median(xs).toFixed(0)}` : '—';
  };
  return {
    name,
    'send → held': m('to_activator'),
    'held → Starting': m('to_starting'),
    'Starting → 1st output': m('to_first_output'),
    'Starting → up': m('starting_to_up'),
    'up → headers': m('up_to_headers'),
    'activator logged': m('activator_says'),
    'client total': m('total'),
  };
}
