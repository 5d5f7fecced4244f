// The activator behind real HAProxy: requests to a scaled-to-zero app are
// held, one wake is asked for, and they go through in order once a target
// is ready; a crash, a full queue or a long wait answers 503 and says why.
import assert from 'node:assert/strict';
import http from 'node:http';
import test from 'node:test';
import { waitFor } from '../lib/index.js';
import { get, startBackend, startRouter } from '../testkit/index.js';

test('activator: hold, wake once, release in order; 503 on crash, full queue and timeout', async (t) => {
  const wakes: string[] = [];
  const events: { app: string; line: string }[] = [];
  const { router, port } = await startRouter(t, {
    requestTimeoutMs: 5000,
    activator: { maxQueue: 25, maxWaitMs: 1500, wake: (app) => wakes.push(app), event: (app, line) => events.push({ app, line }) },
  });
  const order: string[] = [];
  const b = await startBackend(t, (req, res) => {
    order.push(req.url ?? '');
    res.end(`hi ${req.url}`);
  });

  await t.test('20 requests during a wake: one wake, all answered by the new target in arrival order', async () => {
    await router.setApp('zed', { hosts: [], targets: [], state: 'stopped', activate: true });
    const replies: Promise<{ status: number; body: string }>[] = [];
    for (let i = 0; i < 20; i++) {
      replies.push(get(port, 'zed.localhost', { path: `/r${i}` }));
      await waitFor(() => router.activation('zed').held === i + 1, { timeoutMs: 2000, what: `request ${i} held` });
    }
    assert.deepEqual(wakes, ['zed'], 'one wake for all of them');
    assert.equal(router.activation('zed').waking, true);
    await router.setApp('zed', { hosts: [], targets: [b.target('web.1')], state: 'running', activate: true });
    const got = await Promise.all(replies);
    assert.deepEqual(got.map((r) => r.status), Array(20).fill(200));
    assert.deepEqual(got.map((r) => r.body), Array.from({ length: 20 }, (_, i) => `hi /r${i}`));
    assert.deepEqual(order.slice(0, 20), Array.from({ length: 20 }, (_, i) => `/r${i}`), 'passed on in the order they came');
    assert.ok(events.some((e) => /woke from idle in \d+ ms \(cold start\); passing 20 held request/.test(e.line)), JSON.stringify(events));
    // now HAProxy sends straight to the target
    assert.equal((await get(port, 'zed.localhost', { path: '/direct' })).body, 'hi /direct');
  });

  await t.test('a wake that crashes answers the held requests 503, without the app output, and logs why', async () => {
    await router.setApp('zed', { hosts: [], targets: [], state: 'stopped', activate: true });
    const r = get(port, 'zed.localhost', { path: '/x' });
    await waitFor(() => router.activation('zed').held === 1, { timeoutMs: 2000 });
    await router.setApp('zed', { hosts: [], targets: [], state: 'crashed', activate: true, reason: 'web.1 exited with status 1 (last output: secret-ish)' });
    const got = await r;
    assert.equal(got.status, 503);
    assert.doesNotMatch(got.body, /secret-ish/);
    assert.ok(events.some((e) => /the wake failed: web\.1 exited with status 1.*answered 1 held request\(s\) with 503/.test(e.line)));
    // crashed: the router's own H10 page, not the activator
    const after = await get(port, 'zed.localhost');
    assert.equal(after.status, 503);
    assert.match(after.body, /H10|crashed/i);
  });

  await t.test('past the queue limit: 503 at once; past the wait limit: 503', async () => {
    await router.setApp('zed', { hosts: [], targets: [], state: 'starting', activate: true });
    const held = Array.from({ length: 25 }, (_, i) => get(port, 'zed.localhost', { path: `/q${i}` }));
    await waitFor(() => router.activation('zed').held === 25, { timeoutMs: 3000 });
    const over = await get(port, 'zed.localhost', { path: '/over' });
    assert.equal(over.status, 503);
    assert.ok(events.some((e) => /25 request\(s\) already held .*limit 25.*503/.test(e.line)));
    const timedOut = await Promise.all(held);
    assert.deepEqual(new Set(timedOut.map((r) => r.status)), new Set([503]));
    assert.ok(events.some((e) => /waited 1\.\d s for the app to wake \(limit 1\.5 s\); answered 503/.test(e.line)));
    // a wake that never came is not waited on forever: the next request asks again
    assert.deepEqual(router.activation('zed'), { held: 0, waking: false });
    const before = wakes.length;
    const again = get(port, 'zed.localhost', { path: '/again' });
    await waitFor(() => wakes.length === before + 1, { timeoutMs: 2000, what: 'a second wake' });
    await router.setApp('zed', { hosts: [], targets: [b.target('web.1')], state: 'running', activate: true });
    assert.equal((await again).body, 'hi /again');
  });

  await t.test('bodies, HEAD and hop-by-hop headers pass through a wake; an app failing mid-body ends the response', async () => {
    const echo = await startBackend(t, (req, res) => {
      if (req.url === '/cut') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
        setTimeout(() => res.socket?.destroy(), 50);
        return;
      }
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => res.end(`${req.method} ${body} x-drop=${req.headers['x-drop'] ?? 'gone'}`));
    });
    await router.setApp('zed', { hosts: [], targets: [], state: 'stopped', activate: true });
    const post = new Promise<[number, string]>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/p', agent: false, headers: { host: 'zed.localhost', connection: 'close, x-drop', 'x-drop': 'secret' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve([res.statusCode ?? 0, body]));
      });
      req.on('error', reject);
      req.end('payload');
    });
    const head = get(port, 'zed.localhost', { method: 'HEAD', path: '/h' });
    const cut = get(port, 'zed.localhost', { path: '/cut' }).then((r) => `ok ${r.body}`, (e: Error) => `error ${e.message}`);
    await waitFor(() => router.activation('zed').held === 3, { timeoutMs: 2000 });
    await router.setApp('zed', { hosts: [], targets: [echo.target('web.1')], state: 'running', activate: true });
    assert.deepEqual(await post, [200, 'POST payload x-drop=gone']);
    const h = await head;
    assert.equal(h.status, 200);
    assert.equal(h.body, '');
    const c = await Promise.race([cut, new Promise<string>((r) => setTimeout(() => r('still hanging'), 3000))]);
    assert.notEqual(c, 'still hanging', 'the client is told when the app fails mid-body');
  });

  await t.test('a request passed on by the activator counts as in flight to its target (a drain waits for it)', async () => {
    const slow = await startBackend(t, (_req, res) => setTimeout(() => res.end('slow done'), 600));
    await router.setApp('zed', { hosts: [], targets: [], state: 'stopped', activate: true });
    const r = get(port, 'zed.localhost', { path: '/slow' });
    await waitFor(() => router.activation('zed').held === 1, { timeoutMs: 2000 });
    await router.setApp('zed', { hosts: [], targets: [slow.target('web.9')], state: 'running', activate: true });
    await waitFor(async () => (await router.stats()).zed?.targets['web.9']?.inflight === 1, { timeoutMs: 500, what: 'the passed-on request in the stats' });
    assert.equal((await r).body, 'slow done');
    await waitFor(async () => (await router.stats()).zed?.targets['web.9']?.inflight === 0, { timeoutMs: 2000, what: 'and gone once answered' });
  });

  await t.test('an app that does not scale to zero still gets H14 with no target', async () => {
    await router.setApp('plain', { hosts: [], targets: [], state: 'stopped' });
    const r = await get(port, 'plain.localhost');
    assert.equal(r.status, 503);
    assert.match(r.body, /H14|no web/i);
    assert.ok(!wakes.includes('plain'));
  });
});
