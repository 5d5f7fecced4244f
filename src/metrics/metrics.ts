import { childrenOf, readProcTable, treeUsage, type ProcInfo } from '../lib/index.js';
import type { MetricStore } from '../state/index.js';
import { addInto, bucketOf, emptyPoint, parsePoint, quantileMs, type Point } from './point.js';
import { renderPrometheus, type PromApp } from './prometheus.js';

/** Resolutions kept, in seconds, and for how long (the dashboard's 1 h / 24 h / 7 d). */
export const RESOLUTIONS = [
  { res: 10, keepS: 3600 },
  { res: 60, keepS: 24 * 3600 },
  { res: 600, keepS: 7 * 24 * 3600 },
] as const;

export type Range = '1h' | '24h' | '7d';
const RANGE: Record<Range, { res: number; spanS: number }> = { '1h': { res: 10, spanS: 3600 }, '24h': { res: 60, spanS: 24 * 3600 }, '7d': { res: 600, spanS: 7 * 24 * 3600 } };

export interface InstanceFigure {
  type: string;
  state: string;
  restarts: number;
}

export interface MetricsDeps {
  store: MetricStore;
  apps(): string[];
  instances(app: string): InstanceFigure[];
  /** Host pids of the app's instances (their process trees are measured). */
  pids(app: string): { name: string; type: string; pid: number }[];
  /** Daemon-wide figures for Prometheus. */
  daemon(): { buildsRunning: number; buildsPending: number; routerReloads: number };
  procTable?: () => Map<number, ProcInfo>;
  intervalMs?: number;
  now?: () => number;
  onError?: (err: Error) => void;
}

/** Chart data for one app over a range, aligned on one time axis (unix seconds); null where nothing was sampled. */
export interface Series {
  range: Range;
  res: number;
  t: number[];
  rps: (number | null)[];
  p50: (number | null)[];
  p95: (number | null)[];
  p99: (number | null)[];
  status: Record<'1xx' | '2xx' | '3xx' | '4xx' | '5xx', (number | null)[]>;
  instances: Record<string, (number | null)[]>;
  memoryMb: Record<string, (number | null)[]>;
  cpuPct: Record<string, (number | null)[]>;
  /** Start times of the points in which a release started running. */
  deploys: number[];
}

/** The apps list's figures: the last hour per minute. */
export interface Summary {
  app: string;
  /** From the live instances: running (some up), starting, crashed, or idle (none). */
  state: 'running' | 'starting' | 'crashed' | 'idle';
  up: number;
  total: number;
  rpm: number[];
  errorShare: number[];
  requests: number;
  errors: number;
}

interface Totals {
  prom: PromApp;
  lastRestarts: number | undefined;
}

/**
 * Per-app time series: request outcomes come in as they happen (from the
 * router's log), instance states and memory/CPU are sampled every 10 s, and
 * each sample is added to the 10 s, 1 min and 10 min points of its time in
 * one SQLite transaction. Prometheus counters are the totals since start.
 */
export class Metrics {
  private readonly pending = new Map<string, Point>();
  private readonly totals = new Map<string, Totals>();
  private readonly lastCpu = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly deps: MetricsDeps) {
    this.now = deps.now ?? Date.now;
  }

  start(): void {
    this.timer ??= setInterval(() => {
      try {
        this.sample();
      } catch (err) {
        (this.deps.onError ?? ((e: Error) => process.emitWarning(`metrics: ${e.message}`)))(err instanceof Error ? err : new Error(String(err)));
      }
    }, this.deps.intervalMs ?? 10_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One request's outcome. */
  request(app: string, status: number, ms: number): void {
    const p = this.pendingOf(app);
    const b = bucketOf(ms);
    const cls = Math.min(4, Math.max(0, Math.floor(status / 100) - 1));
    p.n++;
    p.ms += ms;
    p.c[cls] = (p.c[cls] ?? 0) + 1;
    p.h[b] = (p.h[b] ?? 0) + 1;
    const prom = this.totalsOf(app).prom;
    prom.requests[cls] = (prom.requests[cls] ?? 0) + 1;
    prom.latency[b] = (prom.latency[b] ?? 0) + 1;
    prom.latencySumMs += ms;
  }

  /** A Heroku router line (`... service=12ms status=200 ...`); lines without a status (none reached the router's end) count nothing. */
  routerLine(app: string, line: string): void {
    const status = /\bstatus=(\d{3})\b/.exec(line)?.[1];
    if (!status) return;
    const service = /\bservice=(\d+)ms\b/.exec(line)?.[1];
    this.request(app, Number(status), service === undefined ? 0 : Number(service));
  }

  /** A release started running (marked on the time axis). */
  deployed(app: string): void {
    this.pendingOf(app).d++;
    this.totalsOf(app).prom.deploys++;
  }

  /** Drops what is kept in memory for a destroyed app (its stored points go with its row). */
  forget(app: string): void {
    this.pending.delete(app);
    this.totals.delete(app);
    for (const k of [...this.lastCpu.keys()]) if (k.startsWith(`${app}/`)) this.lastCpu.delete(k);
  }

  /** Takes one sample of every app and writes it at every resolution. */
  sample(): void {
    const nowS = Math.floor(this.now() / 1000);
    const table = (this.deps.procTable ?? readProcTable)();
    const kids = childrenOf(table);
    const seenCpu = new Set<string>();
    const points = new Map<string, Point>();
    for (const app of this.deps.apps()) {
      const p = this.pending.get(app) ?? emptyPoint();
      this.pending.delete(app);
      p.k = 1;
      const tot = this.totalsOf(app);
      const states: Record<string, Record<string, number>> = {};
      let restarts = 0;
      for (const i of this.deps.instances(app)) {
        const t = (p.ty[i.type] ??= { up: 0, n: 0, mem: 0, cpu: 0 });
        t.n++;
        if (i.state === 'up') t.up++;
        restarts += i.restarts;
        const s = (states[i.type] ??= {});
        s[i.state] = (s[i.state] ?? 0) + 1;
      }
      for (const { name, type, pid } of this.deps.pids(app)) {
        const u = treeUsage(table, kids, pid);
        const key = `${app}/${name}/${pid}`;
        seenCpu.add(key);
        const cpu = Math.max(0, u.cpuMs - (this.lastCpu.get(key) ?? 0));
        this.lastCpu.set(key, u.cpuMs);
        const t = (p.ty[type] ??= { up: 0, n: 0, mem: 0, cpu: 0 });
        t.mem += u.rssBytes;
        t.cpu += cpu;
        tot.prom.cpuMs[type] = (tot.prom.cpuMs[type] ?? 0) + cpu;
      }
      if (tot.lastRestarts !== undefined && restarts > tot.lastRestarts) p.r += restarts - tot.lastRestarts;
      tot.prom.restarts += p.r;
      tot.lastRestarts = restarts;
      tot.prom.states = states;
      tot.prom.memory = Object.fromEntries(Object.entries(p.ty).map(([type, f]) => [type, f.mem]));
      points.set(app, p);
    }
    for (const k of [...this.lastCpu.keys()]) if (!seenCpu.has(k)) this.lastCpu.delete(k);
    this.write(nowS, points);
  }

  private write(nowS: number, points: Map<string, Point>): void {
    const { store } = this.deps;
    store.transaction(() => {
      for (const [app, p] of points) {
        const id = store.appId(app);
        if (id === undefined) continue;
        for (const { res } of RESOLUTIONS) {
          const t = nowS - (nowS % res);
          const old = store.get(id, res, t);
          store.put(id, res, t, JSON.stringify(old === undefined ? p : addInto(parsePoint(old), p)));
        }
      }
      for (const { res, keepS } of RESOLUTIONS) store.prune(res, nowS - keepS);
    });
  }

  /** Chart data for one app over 1 h (10 s points), 24 h (1 min) or 7 d (10 min). */
  series(app: string, range: Range): Series {
    const { res, spanS } = RANGE[range];
    const nowS = Math.floor(this.now() / 1000);
    const last = nowS - (nowS % res);
    const first = last - spanS + res;
    const id = this.deps.store.appId(app);
    const byT = new Map((id === undefined ? [] : this.deps.store.range(id, res, first)).map((r) => [r.t, parsePoint(r.data)]));
    const types = [...new Set([...byT.values()].flatMap((p) => Object.keys(p.ty)))].sort();
    const s: Series = { range, res, t: [], rps: [], p50: [], p95: [], p99: [], status: { '1xx': [], '2xx': [], '3xx': [], '4xx': [], '5xx': [] }, instances: {}, memoryMb: {}, cpuPct: {}, deploys: [] };
    for (const type of types) [s.instances[type], s.memoryMb[type], s.cpuPct[type]] = [[], [], []];
    const round = (v: number | undefined): number | null => (v === undefined ? null : Math.round(v * 100) / 100);
    for (let t = first; t <= last; t += res) {
      const p = byT.get(t);
      s.t.push(t);
      s.rps.push(p ? round(p.n / res) : null);
      s.p50.push(p ? round(quantileMs(p.h, 0.5)) : null);
      s.p95.push(p ? round(quantileMs(p.h, 0.95)) : null);
      s.p99.push(p ? round(quantileMs(p.h, 0.99)) : null);
      (['1xx', '2xx', '3xx', '4xx', '5xx'] as const).forEach((cls, i) => s.status[cls].push(p ? round((p.c[i] ?? 0) / res) : null));
      for (const type of types) {
        const f = p?.ty[type];
        const k = p?.k || 1;
        s.instances[type]?.push(p ? round((f?.n ?? 0) / k) : null);
        s.memoryMb[type]?.push(p ? round((f?.mem ?? 0) / k / 1048576) : null);
        s.cpuPct[type]?.push(p ? round(((f?.cpu ?? 0) / (res * 1000)) * 100) : null);
      }
      if (p && p.d > 0) s.deploys.push(t);
    }
    return s;
  }

  /** Requests per minute and 5xx share over the last hour, per app. */
  summary(apps: string[]): Summary[] {
    const nowS = Math.floor(this.now() / 1000);
    const last = nowS - (nowS % 60);
    return apps.map((app) => {
      const id = this.deps.store.appId(app);
      const byT = new Map((id === undefined ? [] : this.deps.store.range(id, 60, last - 3540)).map((r) => [r.t, parsePoint(r.data)]));
      const live = this.deps.instances(app);
      const up = live.filter((i) => i.state === 'up').length;
      const state = up > 0 ? 'running' : live.some((i) => i.state === 'crashed') ? 'crashed' : live.some((i) => i.state === 'starting') ? 'starting' : 'idle';
      const out: Summary = { app, state, up, total: live.length, rpm: [], errorShare: [], requests: 0, errors: 0 };
      for (let t = last - 3540; t <= last; t += 60) {
        const p = byT.get(t);
        const n = p?.n ?? 0;
        const e = p?.c[4] ?? 0;
        out.rpm.push(n);
        out.errorShare.push(n === 0 ? 0 : Math.round((e / n) * 1000) / 1000);
        out.requests += n;
        out.errors += e;
      }
      return out;
    });
  }

  /** Prometheus text exposition of every app and the daemon. */
  prometheus(): string {
    const apps = this.deps.apps().map((name) => ({ name, totals: this.totalsOf(name).prom }));
    return renderPrometheus(apps, this.deps.daemon());
  }

  private pendingOf(app: string): Point {
    let p = this.pending.get(app);
    if (!p) this.pending.set(app, (p = emptyPoint()));
    return p;
  }

  private totalsOf(app: string): Totals {
    let t = this.totals.get(app);
    if (!t) {
      t = { lastRestarts: undefined, prom: { requests: [0, 0, 0, 0, 0], latency: emptyPoint().h, latencySumMs: 0, states: {}, memory: {}, cpuMs: {}, restarts: 0, deploys: 0 } };
      this.totals.set(app, t);
    }
    return t;
  }
}
