import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '../lib/index.js';
import { get, startBackend, tempDir } from '../testkit/index.js';
import { Routing } from './routing.js';

// The routing owner with a real HAProxy: the supervisor publishes web targets,
// domains and the scale-to-zero flag come from the app's owner, request lines
// become per-app rates, and a held request asks for a wake exactly once.
test('Routing: publish routes, refresh follows the app, request outcomes are counted, a wake is asked for', async (t) => {
  const apps = new Map<string, { hosts: string[]; zero: boolean }>([['shop', { hosts: ['shop.example.com'], zero: false }]]);
  const lines: { app: string; source: string; line: string }[] = [];
  const routing = new Routing({
    router: { runDir: tempDir(t, 'slw-routing-'), domain: 'localhost', listen: { host: '127.0.0.1', port: 0 } },
    hosts: (app) => apps.get(app)?.hosts,
    scalesToZero: (app) => apps.get(app)?.zero === true,
    log: (app, e) => lines.push({ app, ...e }),
  });
  t.after(() => routing.stop());
  const { port } = await routing.start(['shop']);
  const backend = await startBackend(t, (_req, res) => res.end('hi'));

  await routing.publish('shop', { targets: [backend.target('web.1_0a1b2c')], state: 'running' });
  for (const host of ['shop.localhost', 'shop.example.com']) assert.equal((await get(port, host)).body, 'hi', host);
  await waitFor(() => routing.rates.window('shop', Date.now() - 60_000).total >= 2, { timeoutMs: 10_000, what: 'two requests counted' });
  const routerLine = lines.find((l) => l.source === 'router');
  assert.match(routerLine?.line ?? '', /dyno=web\.1 /, 'the instance suffix is not shown');

  // at zero: the activator holds the request and asks the waker once
  const woken: string[] = [];
  routing.onWake(async (app) => {
    woken.push(app);
    await routing.publish(app, { targets: [backend.target('web.1_0a1b2c')], state: 'running' });
  });
  apps.set('shop', { hosts: [], zero: true });
  await routing.publish('shop', { targets: [], state: 'idle' });
  assert.equal((await get(port, 'shop.localhost')).body, 'hi', 'held, woken, passed on');
  assert.deepEqual(woken, ['shop']);

  // a wake that fails: the held request gets 503 and the app's log says why
  routing.onWake(() => Promise.reject(new Error('no release to start')));
  await routing.publish('shop', { targets: [], state: 'idle' });
  assert.equal((await get(port, 'shop.localhost')).status, 503);
  assert.ok(lines.some((l) => l.line === 'Autoscale web: the wake failed: no release to start'));

  // the app is gone: its hosts stop routing
  apps.delete('shop');
  routing.forget('shop');
  await routing.refresh('shop');
  assert.equal((await get(port, 'shop.localhost')).status, 404);
});
