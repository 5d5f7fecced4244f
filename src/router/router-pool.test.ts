import assert from 'node:assert/strict';
import test from 'node:test';
import { waitFor } from '../lib/index.js';
import { BackendPool, sparesFor } from './backends.js';
import { answeredBy, get, startBackend, startRouter } from '../testkit/index.js';

test('the pool: a new app takes a loaded spare, the one freed longest ago; growth keeps spares ahead of use', () => {
  const pool = new BackendPool();
  pool.grow();
  assert.equal(pool.all().length, sparesFor(0));
  const loaded = new Set(pool.all().map((b) => b.name));
  const isLoaded = (n: string): boolean => loaded.has(n);
  const a = pool.take('a', isLoaded);
  assert.equal(pool.take('a', isLoaded), a, 'an app keeps its backend');
  const b = pool.take('b', isLoaded);
  pool.release('a');
  pool.release('b');
  assert.equal(pool.appOf(a.name), undefined);
  // Never-used spares go first, then the one freed longest ago (a), then b.
  const order = pool.all().filter((x) => !x.app).map((_, i) => pool.take(`n${i}`, isLoaded));
  assert.deepEqual(order.slice(-2), [a, b]);
  assert.equal(pool.appOf(b.name), `n${order.length - 1}`);
  assert.ok(pool.needsGrowth());
  assert.ok(pool.grow(), 'grows once spares run low');
  assert.ok(!pool.needsGrowth() && !pool.grow(), 'and not again until more are used');
  assert.equal(pool.all().length, 16 + sparesFor(16));
  // Spares not loaded yet are taken only when no loaded one is left (that take needs a reload).
  assert.ok(!loaded.has(pool.take('z', isLoaded).name));
});

test('creating, destroying and adding domains to apps needs no reload; spares are added in the background', async (t) => {
  const { router, port } = await startRouter(t);
  const backend = await startBackend(t);
  const pid = router.haproxyPid;
  const before = router.reloads;
  for (let i = 0; i < 30; i++) {
    await router.setApp(`app-${i}`, { hosts: [], targets: [backend.target('web.1')], state: 'running' });
    // Routed as soon as the call returns: the spare it took was already loaded.
    assert.equal(answeredBy(await get(port, `app-${i}.localhost`)), backend.port, `app-${i}`);
  }
  // Growth reloads (16 spares at first, then half of what is in use) and nothing else.
  await waitFor(() => !router.reloading, { timeoutMs: 30_000, what: 'background reloads to finish' });
  const growth = router.reloads - before;
  assert.ok(growth >= 1 && growth <= 3, `${growth} reloads for 30 new apps`);

  const quiet = router.reloads;
  await router.setApp('app-3', { hosts: ['www.example.com'], targets: [backend.target('web.1')], state: 'running' });
  assert.equal(answeredBy(await get(port, 'www.example.com')), backend.port);
  for (let i = 0; i < 10; i++) await router.removeApp(`app-${i}`);
  assert.equal((await get(port, 'app-0.localhost')).status, 404);
  assert.equal((await get(port, 'www.example.com')).status, 404);
  // Their backends are reused by new apps, with no trace of the old ones.
  for (let i = 0; i < 10; i++) await router.setApp(`new-${i}`, { hosts: [], targets: [], state: 'idle' });
  assert.equal((await get(port, 'new-0.localhost')).status, 503);
  assert.equal((await get(port, 'app-1.localhost')).status, 404);
  assert.equal(answeredBy(await get(port, 'app-29.localhost')), backend.port);
  assert.equal(router.reloads, quiet, 'no reload for domains, removals or apps that reuse a backend');
  assert.equal(router.haproxyPid, pid);
});
