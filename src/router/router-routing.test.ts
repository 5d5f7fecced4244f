import assert from 'node:assert/strict';
import test from 'node:test';
import { waitFor } from '../lib/index.js';
import { answeredBy, get, startBackend, startRouter } from '../testkit/index.js';

test('routing by Host through HAProxy', async (t) => {
  const { router, port, logs } = await startRouter(t, { requestTimeoutMs: 400 });
  const a = await startBackend(t);

  await t.test('APP.DOMAIN reaches the app, whatever the case and port of Host', async () => {
    await router.setApp('hello', { hosts: [], targets: [a.target('web.1')], state: 'running' });
    assert.equal(answeredBy(await get(port, 'hello.localhost')), a.port);
    assert.equal(answeredBy(await get(port, `HELLO.localhost:${port}`)), a.port);
  });

  await t.test('a custom domain reaches the app; dropping it 404s without touching the app', async () => {
    await router.setApp('hello', { hosts: ['www.Example.com'], targets: [a.target('web.1')], state: 'running' });
    assert.equal(answeredBy(await get(port, 'www.example.com')), a.port);
    await router.setApp('hello', { hosts: [], targets: [a.target('web.1')], state: 'running' });
    assert.equal((await get(port, 'www.example.com')).status, 404);
    assert.equal(answeredBy(await get(port, 'hello.localhost')), a.port);
  });

  await t.test('an unknown host gets the platform 404 page and no app log line', async () => {
    const r = await get(port, 'nope.localhost');
    assert.equal(r.status, 404);
    assert.match(r.body, /No such app/);
    assert.equal(r.headers['cache-control'], 'no-store');
    const r2 = await get(port, '');
    assert.equal(r2.status, 404);
    await get(port, 'hello.localhost', { path: '/after-unknown' }); // log lines arrive in order: wait for this one
    await waitFor(() => logs.some((l) => l.line.includes('/after-unknown')), { timeoutMs: 2000 });
    assert.deepEqual(logs.filter((l) => /nope|host= /.test(l.line)), []);
  });

  await t.test('no targets: 503 H14; state crashed: 503 H10', async () => {
    await router.setApp('empty', { hosts: [], targets: [], state: 'starting' });
    const r = await get(port, 'empty.localhost');
    assert.equal(r.status, 503);
    assert.match(r.body, /H14/);
    await router.setApp('empty', { hosts: [], targets: [], state: 'crashed' });
    const r2 = await get(port, 'empty.localhost');
    assert.equal(r2.status, 503);
    assert.match(r2.body, /H10/);
  });

  await t.test('a backend slower than the request timeout: 504 H12', async () => {
    const slow = await startBackend(t, (_req, res) => void setTimeout(() => res.end('late'), 2000));
    await router.setApp('slow', { hosts: [], targets: [slow.target('web.1')], state: 'running' });
    const r = await get(port, 'slow.localhost');
    assert.equal(r.status, 504);
    assert.match(r.body, /H12/);
  });

  await t.test('removing an app: its hosts 404 at once', async () => {
    await router.removeApp('hello');
    assert.equal((await get(port, 'hello.localhost')).status, 404);
    // and it can come back (its backend is still loaded: no reload needed)
    await router.setApp('hello', { hosts: [], targets: [a.target('web.1')], state: 'running' });
    assert.equal(answeredBy(await get(port, 'hello.localhost')), a.port);
  });
});
