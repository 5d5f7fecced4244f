import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { MetricStore, openDb, Store } from '../state/index.js';
import { Metrics, type InstanceFigure } from './metrics.js';
import { emptyPoint, quantileMs, addInto, parsePoint } from './point.js';

function setup(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-metrics-'));
  const db = openDb(path.join(dir, 'state.db'));
  t.after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const store = new Store(db);
  store.insertApp('alpha');
  store.insertApp('beta');
  let now = Date.UTC(2026, 0, 1, 12, 0, 0);
  const instances = new Map<string, InstanceFigure[]>([
    ['alpha', [{ type: 'web', state: 'up', restarts: 0 }, { type: 'worker', state: 'crashed', restarts: 2 }]],
    ['beta', []],
  ]);
  const m = new Metrics({
    store: new MetricStore(db),
    apps: () => ['alpha', 'beta'],
    instances: (app) => instances.get(app) ?? [],
    // the test's own process stands in for alpha's web instance: its memory is real
    pids: (app) => (app === 'alpha' ? [{ name: 'web.1', type: 'web', pid: process.pid }] : []),
    daemon: () => ({ buildsRunning: 1, buildsPending: 0, routerReloads: 3 }),
    now: () => now,
  });
  return { m, db, instances, advance: (s: number) => (now += s * 1000), nowS: () => Math.floor(now / 1000) };
}

test('quantiles interpolate inside buckets; points merge by addition; torn rows read as empty', () => {
  const h = emptyPoint().h;
  h[0] = 50; // ≤5 ms
  h[4] = 50; // 50..100 ms
  assert.equal(quantileMs(h, 0.5), 5);
  assert.equal(quantileMs(h, 0.75), 75);
  assert.equal(quantileMs(emptyPoint().h, 0.5), undefined);
  const a = emptyPoint();
  a.n = 2;
  a.ty.web = { up: 1, n: 1, mem: 10, cpu: 5 };
  const b = addInto(parsePoint(JSON.stringify(a)), a);
  assert.equal(b.n, 4);
  assert.deepEqual(b.ty.web, { up: 2, n: 2, mem: 20, cpu: 10 });
  assert.deepEqual(parsePoint('{"n":'), emptyPoint());
});

test('requests, instances and memory are sampled into 10 s, 1 min and 10 min points', (t) => {
  const { m, advance } = setup(t);
  for (let s = 0; s < 6; s++) {
    for (let i = 0; i < 10; i++) m.request('alpha', 200, 20);
    m.routerLine('alpha', 'at=error code=H12 desc="Request timeout" method=GET path="/" host=a dyno=web.1 connect=1ms service=30000ms status=503 bytes=0 protocol=http');
    m.routerLine('alpha', 'at=info method=GET path="/" host=a dyno= connect= service= status= bytes=0'); // no status: not counted
    m.sample();
    advance(10);
  }
  const hour = m.series('alpha', '1h');
  assert.equal(hour.res, 10);
  assert.equal(hour.t.length, 360);
  const filled = hour.rps.filter((v) => v !== null);
  assert.deepEqual(filled, [1.1, 1.1, 1.1, 1.1, 1.1, 1.1]);
  assert.equal(hour.status['5xx'].filter((v) => v !== null).every((v) => v === 0.1), true);
  assert.ok((hour.p50.find((v) => v !== null) ?? 0) > 10 && (hour.p50.find((v) => v !== null) ?? 0) <= 25);
  assert.equal(hour.p99.find((v) => v !== null), 10000, 'the 30 s request lands in the overflow bucket');
  assert.deepEqual(hour.instances.web?.filter((v) => v !== null), [1, 1, 1, 1, 1, 1]);
  assert.deepEqual(hour.instances.worker?.filter((v) => v !== null), [1, 1, 1, 1, 1, 1]);
  assert.ok((hour.memoryMb.web?.find((v) => v !== null) ?? 0) > 5, 'the process really has memory');
  // the six 10-s samples fell into one or two minutes: their sums equal the 10-s sums
  const day = m.series('alpha', '24h');
  assert.equal(day.res, 60);
  const perMinute = day.t.map((_, i) => (day.rps[i] ?? 0) * 60).reduce((s, v) => s + v, 0);
  assert.equal(Math.round(perMinute), 66);
  const week = m.series('alpha', '7d');
  assert.equal(Math.round(week.rps.reduce<number>((s, v) => s + (v ?? 0) * 600, 0)), 66);
  // an app without traffic still gets points (so scale to zero shows as 0, not as a gap)
  assert.deepEqual(m.series('beta', '1h').rps.filter((v) => v !== null), [0, 0, 0, 0, 0, 0]);
});

test('deploys are marked; restarts count increases; the apps list has rpm and 5xx share', (t) => {
  const { m, instances, advance } = setup(t);
  m.sample();
  m.deployed('alpha');
  instances.set('alpha', [{ type: 'web', state: 'up', restarts: 3 }]);
  for (let i = 0; i < 3; i++) m.request('alpha', 200, 1);
  m.request('alpha', 500, 1);
  advance(10);
  m.sample();
  const s = m.series('alpha', '1h');
  assert.equal(s.deploys.length, 1);
  const sum = m.summary(['alpha', 'beta']);
  assert.equal(sum[0]?.requests, 4);
  assert.equal(sum[0]?.errors, 1);
  assert.equal(sum[0]?.state, 'running');
  assert.deepEqual([sum[0]?.up, sum[0]?.total], [1, 1]);
  assert.equal(sum[0]?.rpm.length, 60);
  assert.ok(sum[0]?.errorShare.includes(0.25));
  assert.equal(sum[1]?.state, 'idle');
  const text = m.prometheus();
  assert.match(text, /^slipway_http_requests_total\{app="alpha",code="2xx"\} 3$/m);
  assert.match(text, /^slipway_http_requests_total\{app="alpha",code="5xx"\} 1$/m);
  assert.match(text, /^slipway_http_request_duration_seconds_bucket\{app="alpha",le="\+Inf"\} 4$/m);
  assert.match(text, /^slipway_http_request_duration_seconds_count\{app="alpha"\} 4$/m);
  assert.match(text, /^slipway_instances\{app="alpha",type="web",state="up"\} 1$/m);
  assert.match(text, /^slipway_restarts_total\{app="alpha"\} 1$/m, 'crashed worker (2) went away, web has 3: one more than before');
  assert.match(text, /^slipway_deploys_total\{app="alpha"\} 1$/m);
  assert.match(text, /^slipway_memory_bytes\{app="alpha",type="web"\} [1-9]\d+$/m);
  assert.match(text, /^slipway_router_reloads_total 3$/m);
  assert.match(text, /^slipway_builds\{state="running"\} 1$/m);
  // every family is announced once before its samples
  assert.equal(text.match(/^# TYPE slipway_http_requests_total counter$/gm)?.length, 1);
});

test('points older than their resolution keeps are pruned', (t) => {
  const { m, db, advance } = setup(t);
  m.request('alpha', 200, 1);
  m.sample();
  advance(3601);
  m.sample();
  const rows = db.prepare('SELECT res, COUNT(*) AS n FROM metric_points GROUP BY res ORDER BY res').all() as { res: number; n: number }[];
  // two apps: the first 10-s points are gone, both minutes and both 10-minute points stay
  assert.deepEqual(rows.map((r) => [r.res, r.n]), [[10, 2], [60, 4], [600, 4]]);
});
