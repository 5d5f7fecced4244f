import assert from 'node:assert/strict';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import test from 'node:test';
import { waitFor } from '../lib/index.js';
import { answeredBy, get, startBackend, startRouter, stopBackend, type Backend } from '../testkit/index.js';

test('leastconn: both targets of an app receive requests', async (t) => {
  const { router, port } = await startRouter(t);
  const slowly = (_req: http.IncomingMessage, res: http.ServerResponse): void => void setTimeout(() => res.end('ok'), 30);
  const [a, b] = [await startBackend(t, slowly), await startBackend(t, slowly)];
  await router.setApp('two', { hosts: [], targets: [a.target('web.1'), b.target('web.2')], state: 'running' });
  const replies = await Promise.all(Array.from({ length: 20 }, () => get(port, 'two.localhost')));
  assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([200]));
  assert.ok(a.seen.length > 0 && b.seen.length > 0, `a=${a.seen.length} b=${b.seen.length}`);
});

/** Sends keep-alive requests, `concurrency` at a time, until `done()` says so and at least `n` went; counts anything but a 200. */
async function load(port: number, n: number, concurrency: number, done: () => boolean): Promise<{ ok: number; failures: string[] }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const failures: string[] = [];
  let ok = 0;
  let sent = 0;
  const worker = async (): Promise<void> => {
    while (sent < n || !done()) {
      sent++;
      try {
        const r = await get(port, 'busy.localhost', { agent });
        if (r.status === 200) ok++;
        else failures.push(`status ${r.status}`);
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return { ok, failures };
}

test('target changes under load lose no request (hitless)', async (t) => {
  const { router, port, logs } = await startRouter(t);
  const pool: Backend[] = [];
  for (let i = 0; i < 12; i++) pool.push(await startBackend(t));
  const web = (ids: number[], state: 'ready' | 'draining' = 'ready') => ids.map((i) => (pool[i] as Backend).target(`web.${i}`, state));
  const times: number[] = [];
  const setBusy = async (ready: number[], draining: number[] = []): Promise<void> => {
    await new Promise((r) => setTimeout(r, 10));
    const t0 = performance.now();
    await router.setApp('busy', { hosts: [], targets: [...web(ready), ...web(draining, 'draining')], state: 'running' });
    times.push(performance.now() - t0);
  };
  // As a deploy retires instances: drain, wait for in-flight 0, remove, stop the process.
  const retire = async (keep: number[], old: number[]): Promise<void> => {
    await setBusy(keep, old);
    assert.equal(await router.drain('busy', old.map((i) => `web.${i}`), 5000), 0, 'drained targets finished before the deadline');
    await setBusy(keep);
    await Promise.all(old.map((i) => stopBackend((pool[i] as Backend).server)));
  };
  await setBusy([0]);

  let changing = true;
  const running = load(port, 500, 8, () => !changing);
  await setBusy([0, 1]); // scale up
  await retire([1], [0]); // scale down
  await setBusy([1, 2, 3]); // rolling deploy
  await retire([2, 3], [1]);
  await setBusy([2, 3, 4, 5, 6, 7, 8, 9, 10]); // past the slot pool: a reload
  await router.setApp('other', { hosts: [], targets: [], state: 'idle' }); // new app: a spare backend, no reload
  await setBusy([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  await retire([11], [2, 3, 4, 5, 6, 7, 8, 9, 10]);
  await waitFor(() => (pool[11] as Backend).seen.length > 20, { timeoutMs: 5000, what: 'requests on the last target' });
  changing = false;
  const { ok, failures } = await running;
  for (const l of logs.filter((x) => !x.line.startsWith('at=info')).slice(0, 5)) t.diagnostic(l.line);
  t.diagnostic(`${ok} requests; setApp ms: ${times.map((x) => x.toFixed(1)).join(' ')}`);
  assert.deepEqual(failures, []);
  assert.ok(ok >= 500, `${ok} requests`);
  assert.equal(answeredBy(await get(port, 'busy.localhost')), (pool[11] as Backend).port);
});

test('draining: in-flight requests finish, new ones go elsewhere, stats count down to 0', async (t) => {
  const { router, port } = await startRouter(t);
  const slow = await startBackend(t, (req, res) => void setTimeout(() => res.end('slow done'), req.url === '/slow' ? 700 : 0));
  const fast = await startBackend(t);
  await router.setApp('drain', { hosts: [], targets: [slow.target('web.1')], state: 'running' });
  const inflight = get(port, 'drain.localhost', { path: '/slow' });
  await waitFor(async () => (await router.stats()).drain?.targets['web.1']?.inflight === 1, { timeoutMs: 2000, what: 'web.1 inflight 1' });

  await router.setApp('drain', { hosts: [], targets: [slow.target('web.1', 'draining'), fast.target('web.2')], state: 'running' });
  const s = (await router.stats()).drain;
  assert.equal(s?.targets['web.1']?.state, 'draining');
  assert.equal(s?.targets['web.1']?.inflight, 1);
  for (let i = 0; i < 5; i++) assert.equal(answeredBy(await get(port, 'drain.localhost')), fast.port);
  const r = await inflight;
  assert.equal(r.status, 200);
  assert.equal(r.body, 'slow done');
  await waitFor(async () => (await router.stats()).drain?.targets['web.1']?.inflight === 0, { timeoutMs: 2000, what: 'web.1 inflight 0' });
});

test('drain(): resolves with 0 when the in-flight requests finish, with the count left at the deadline', async (t) => {
  const { router, port } = await startRouter(t);
  const held: (() => void)[] = [];
  const slow = await startBackend(t, (_req, res) => void held.push(() => res.end('done')));
  await router.setApp('dr', { hosts: [], targets: [slow.target('web.1')], state: 'running' });
  const first = get(port, 'dr.localhost');
  await waitFor(() => held.length === 1, { timeoutMs: 5000, what: 'the request at the backend' });
  await router.setApp('dr', { hosts: [], targets: [slow.target('web.1', 'draining')], state: 'running' });

  let settled: number | undefined;
  const drained = router.drain('dr', ['web.1'], 60_000).then((n) => (settled = n));
  // the router has looked at the counters at least once and still sees the request
  await waitFor(async () => (await router.stats()).dr?.targets['web.1']?.inflight === 1, { timeoutMs: 5000, what: 'inflight 1' });
  assert.equal(settled, undefined, 'not drained while a request is in flight');
  held.shift()?.();
  assert.equal(await drained, 0);
  assert.equal((await first).body, 'done');

  // past the deadline: resolves with what is still in flight
  await router.setApp('dr', { hosts: [], targets: [slow.target('web.1')], state: 'running' });
  const second = get(port, 'dr.localhost');
  await waitFor(() => held.length === 1, { timeoutMs: 5000, what: 'the second request at the backend' });
  await router.setApp('dr', { hosts: [], targets: [slow.target('web.1', 'draining')], state: 'running' });
  assert.equal(await router.drain('dr', ['web.1'], 200), 1);
  assert.equal(await router.drain('dr', [], 200), 0, 'nothing to wait for');
  held.shift()?.();
  assert.equal((await second).status, 200);
});

test('a target that dies with a request: a GET is replayed on another target, a POST is not', async (t) => {
  const { router, port } = await startRouter(t);
  const dying = await startBackend(t, (req) => req.socket.destroy()); // like kill -9 mid-request
  const alive = await startBackend(t);
  await router.setApp('dies', { hosts: [], targets: [dying.target('web.1'), alive.target('web.2')], state: 'running' });
  for (let i = 0; i < 6; i++) assert.equal((await get(port, 'dies.localhost')).status, 200);
  assert.ok(dying.seen.length > 0, 'the dying target was tried');
  const posts = await Promise.all(Array.from({ length: 6 }, () => get(port, 'dies.localhost', { method: 'POST' })));
  assert.ok(posts.some((r) => r.status === 502), 'a POST the app may have acted on is not sent twice');
});
