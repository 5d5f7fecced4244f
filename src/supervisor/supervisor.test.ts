import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { SlipwayError, waitFor } from '../lib/index.js';
import { ProcessDriver } from '../runtime/index.js';
import { Supervisor } from './supervisor.js';
import type { AppRuntime, RunnableRelease, WebState, WebTarget } from './types.js';

type T = { after(fn: () => unknown): void };

function setup(t: T, readyTimeoutMs = 10_000) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'sup-'));
  chmodSync(tmp, 0o755);
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const published: { targets: WebTarget[]; state: WebState }[] = [];
  const logs: string[] = [];
  const sup = new Supervisor({
    driver: new ProcessDriver(path.join(tmp, 'run')),
    events: { log: (_a, e) => logs.push(`${e.source}${e.ps ? `[${e.ps}]` : ''}: ${e.line}`), publish: async (_a, w) => void published.push(w) },
    readyTimeoutMs,
  });
  t.after(() => sup.shutdown(1000));
  const release = (version: number, files: Record<string, string>, processTypes: Record<string, string>): RunnableRelease => {
    const dir = path.join(tmp, `v${version}`);
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    for (const [f, body] of Object.entries(files)) writeFileSync(path.join(dir, f), body);
    return { version, dir, processTypes, config: { BODY: `v${version}` } };
  };
  const last = (): { targets: WebTarget[]; state: WebState } => published.at(-1) ?? { targets: [], state: 'stopped' };
  return { sup, published, logs, release, last };
}

const SERVER = `require('http').createServer((q,s)=>s.end(process.env.BODY)).listen(process.env.PORT); process.on('SIGTERM',()=>process.exit(0));`;
const app = (formation: AppRuntime['formation']): AppRuntime => ({ name: 'supapp', uid: 70998, formation, graceMs: 2000 });
const get = async (port: number): Promise<string> => (await fetch(`http://127.0.0.1:${port}/`)).text();

test('deploy starts the web instances, publishes them once they accept connections, and replaces the old release', async (t) => {
  const { sup, release, last } = setup(t);
  await sup.deploy(app({ web: { quantity: 2 } }), release(1, { 'server.js': SERVER }, { web: 'node server.js' }));
  const first = last().targets;
  assert.equal(first.length, 2);
  assert.equal(last().state, 'running');
  assert.deepEqual(await Promise.all(first.map((x) => get(x.port))), ['v1', 'v1']);
  await sup.deploy(app({ web: { quantity: 2 } }), release(2, { 'server.js': SERVER }, { web: 'node server.js' }));
  const second = last().targets;
  assert.equal(second.length, 2);
  assert.deepEqual(await Promise.all(second.map((x) => get(x.port))), ['v2', 'v2']);
  await waitFor(() => sup.ps('supapp').length === 2, { timeoutMs: 10_000, what: 'the old instances to stop' });
  assert.deepEqual(sup.ps('supapp').map((i) => `${i.name} ${i.state} ${i.release}`), ['web.1 up v2', 'web.2 up v2'], 'old instances are gone');
});

test('a release whose web process exits or never listens fails the deploy and leaves the old one serving', async (t) => {
  const { sup, release, last } = setup(t, 1500);
  await sup.deploy(app({ web: { quantity: 1 } }), release(1, { 'server.js': SERVER }, { web: 'node server.js' }));
  const before = last().targets;
  await assert.rejects(sup.deploy(app({ web: { quantity: 1 } }), release(2, {}, { web: 'echo "cannot find module"; exit 1' })), (e: unknown) => {
    assert.ok(e instanceof SlipwayError && e.code === 'E_DEPLOY_FAILED');
    assert.match(e.message, /web\.1 \(v2\) exited with status 1 before it was up/);
    assert.match(e.message, /output of web\.1 since it started:\n {2}cannot find module/);
    assert.equal(e.hint, 'the app exited while starting: its own output above says why; the previous release keeps running');
    return true;
  });
  await assert.rejects(sup.deploy(app({ web: { quantity: 1 } }), release(3, {}, { web: 'sleep 100' })), (e: unknown) => {
    assert.ok(e instanceof SlipwayError);
    assert.match(e.message, /did not accept connections on its \$PORT/);
    assert.equal(e.hint, 'web processes must listen on $PORT within 1.5 s; the previous release keeps running');
    return true;
  });
  assert.deepEqual(sup.ps('supapp').map((i) => `${i.name} ${i.state} ${i.release}`), ['web.1 up v1']);
  assert.equal(await get(before[0]?.port ?? 0), 'v1');
});

test('a crashed instance restarts at once, then with growing backoff; scale up and down', async (t) => {
  const { sup, release, logs } = setup(t);
  const rel = release(1, { 'server.js': SERVER }, { web: 'node server.js', worker: 'echo working; sleep 0.2; exit 7' });
  await sup.deploy(app({ web: { quantity: 1 }, worker: { quantity: 1 } }), rel);
  await waitFor(() => (sup.ps('supapp').find((i) => i.name === 'worker.1')?.restarts ?? 0) >= 3, { timeoutMs: 30_000, what: 'three restarts' });
  assert.ok(logs.some((l) => /Crashed 3 times in a row; restarting in 2 s/.test(l)), logs.join('\n'));
  const worker = sup.ps('supapp').find((i) => i.name === 'worker.1');
  assert.ok(worker && ['crashed', 'up', 'starting'].includes(worker.state));

  await sup.scale(app({ web: { quantity: 3 }, worker: { quantity: 0 } }));
  assert.deepEqual(sup.ps('supapp').map((i) => `${i.name} ${i.state}`), ['web.1 up', 'web.2 up', 'web.3 up']);
  await sup.scale(app({ web: { quantity: 1 }, worker: { quantity: 0 } }));
  assert.deepEqual(sup.ps('supapp').map((i) => i.name), ['web.1']);
  await sup.scale(app({ web: { quantity: 0 }, worker: { quantity: 0 } }));
  assert.deepEqual(sup.ps('supapp'), []);
});

test('a worker that crashes while the deploy still waits for web is restarted once the deploy is done', async (t) => {
  const { sup, release } = setup(t);
  // the worker is up at once and exits at once; web only listens after half a second
  const rel = release(1, { 'server.js': SERVER }, { web: 'sleep 0.5; exec node server.js', worker: 'exit 3' });
  await sup.deploy(app({ web: { quantity: 1 }, worker: { quantity: 1 } }), rel);
  await waitFor(() => (sup.ps('supapp').find((i) => i.name === 'worker.1')?.restarts ?? 0) >= 1, { timeoutMs: 30_000, what: 'the worker restarted' });
});

test('restart replaces one instance at a time, the new one up before the old one stops', async (t) => {
  const { sup, release, last } = setup(t);
  await sup.deploy(app({ web: { quantity: 2 } }), release(1, { 'server.js': SERVER }, { web: 'node server.js' }));
  const before = last().targets.map((x) => x.id).sort();
  await sup.restart(app({ web: { quantity: 2 } }), 'web.2');
  const after = last().targets.map((x) => x.id).sort();
  assert.equal(after.length, 2);
  assert.equal(after.filter((id) => before.includes(id)).length, 1, 'only web.2 was replaced');
  await assert.rejects(sup.restart(app({ web: { quantity: 2 } }), 'web.9'), /no process web\.9 is running/);
});

test('health checks gate a deploy: app.json readiness checks, and by default GET / below 500', async (t) => {
  const { sup, release, last } = setup(t, 5000);
  const failing = `require('http').createServer((q,s)=>{s.statusCode=q.url==='/health'?500:200;s.end('nope')}).listen(process.env.PORT)`;
  const rel = release(1, { 'server.js': failing }, { web: 'node server.js' });
  await assert.rejects(
    sup.deploy(app({ web: { quantity: 1 } }), { ...rel, healthchecks: { web: [{ type: 'readiness', path: '/health', attempts: 2, wait: 0.1 }] } }),
    /web\.1 \(v1\) is not ready: readiness check \/health failed after 2 attempts: GET \/health answered 500/,
  );
  await assert.rejects(
    sup.deploy(app({ web: { quantity: 1 } }), { ...rel, healthchecks: { web: [{ type: 'startup', path: '/', content: 'ready', attempts: 1 }] } }),
    /did not contain "ready"/,
  );
  const broken = release(2, { 'server.js': `require('http').createServer((q,s)=>{s.statusCode=503;s.end()}).listen(process.env.PORT)` }, { web: 'node server.js' });
  await assert.rejects(sup.deploy(app({ web: { quantity: 1 } }), broken), /did not answer GET \/ below 500 in time \(GET \/ answered 503\)/);
  assert.deepEqual(last().targets, [], 'nothing failing ever got traffic');
  await sup.deploy(app({ web: { quantity: 1 } }), { ...rel, healthchecks: { web: [{ type: 'readiness', path: '/other', content: 'nope' }] } });
  assert.equal(last().targets.length, 1);
});

test('a failing liveness check takes the instance out of the pool and restarts it', async (t) => {
  const { sup, release, last, logs } = setup(t);
  const flaky = `let n=0; require('http').createServer((q,s)=>{ if(q.url==='/live'){ n++; s.statusCode = n>2 ? 500 : 200; } s.end('ok') }).listen(process.env.PORT)`;
  const rel = release(1, { 'server.js': flaky }, { web: 'node server.js' });
  await sup.deploy(app({ web: { quantity: 1 } }), { ...rel, healthchecks: { web: [{ type: 'liveness', path: '/live', wait: 0.2, attempts: 2 }] } });
  await waitFor(() => logs.some((l) => /Liveness check failed 2 times \(GET \/live answered 500\); restarting/.test(l)), { timeoutMs: 10_000, what: 'the liveness failure' });
  await waitFor(() => (sup.ps('supapp')[0]?.restarts ?? 0) >= 1 && last().targets.length === 1, { timeoutMs: 10_000, what: 'the restart' });
});

test('deploy-stop-first stops a singleton worker before its successor starts; batches start in turn', async (t) => {
  const { sup, release, logs } = setup(t);
  // the handler first: once "worker start" is seen, a SIGTERM must find it
  const worker = `process.on('SIGTERM', () => { console.log('worker stop ' + process.env.BODY); process.exit(0); }); console.log('worker start ' + process.env.BODY); setInterval(() => {}, 1000);`;
  const files = { 'server.js': SERVER, 'worker.js': worker };
  const types = { web: 'node server.js', worker: 'node worker.js' };
  const rt = { ...app({ web: { quantity: 3 }, worker: { quantity: 1 } }), stopFirst: true, batchSize: 1 };
  await sup.deploy(rt, release(1, files, types));
  await waitFor(() => logs.some((l) => l.includes('worker start v1')), { timeoutMs: 5000, what: 'v1 worker output' });
  await sup.deploy(rt, release(2, files, types));
  await waitFor(() => logs.some((l) => l.includes('worker start v2')), { timeoutMs: 5000, what: 'v2 worker output' });
  const order = logs.filter((l) => /worker (start|stop) v/.test(l)).map((l) => l.replace(/^.*: /, ''));
  assert.deepEqual(order, ['worker start v1', 'worker stop v1', 'worker start v2'], 'no overlap of the singleton worker');
  const v2 = logs.slice(logs.findIndex((l) => l.includes('Deploying v2')));
  const up1 = v2.findIndex((l) => l.includes('[web.1]: web.1: State changed from starting to up'));
  const start2 = v2.findIndex((l) => l.includes('[web.2]: web.2: Starting process'));
  assert.ok(up1 >= 0 && start2 > up1, `with deploy-batch 1, web.2 starts only once web.1 is up (${up1}, ${start2})`);
});
