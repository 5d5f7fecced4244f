import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Daemon, httpGet } from '../testkit/index.js';

test('every route needs the token and a refusal reveals nothing', async (t) => {
  const d = await Daemon.start(t);
  await d.api('POST', '/v1/apps', { name: 'secretapp' });
  const routes: [string, string][] = [['GET', '/v1/apps'], ['POST', '/v1/apps'], ['GET', '/v1/apps/secretapp'], ['DELETE', '/v1/apps/secretapp'], ['GET', '/v1/apps/secretapp/config'], ['PATCH', '/v1/apps/secretapp/config'], ['GET', '/v1/server'], ['GET', '/v1/stacks'], ['POST', '/v1/stacks'], ['GET', '/v1/nope'], ['GET', '/metrics'], ['GET', '/v1/metrics/summary'], ['GET', '/v1/session'], ['DELETE', '/v1/session']];
  // `/` is the dashboard's shell: public, and it holds no data (dashboard-api.test.ts)
  for (const [method, p] of routes) {
    for (const token of [null, 'wrong', '', `${d.token}x`]) {
      const r = await d.api(method, p, undefined, token);
      assert.equal(r.status, 401, `${method} ${p} with ${token}`);
      assert.deepEqual(r.json, { error: { code: 'E_UNAUTHORIZED', message: 'missing or invalid token', hint: 'send Authorization: Bearer TOKEN (see `slipway login`)' } });
    }
  }
  const basic = await fetch(`${d.info.api}/v1/apps`, { headers: { authorization: `Basic ${Buffer.from(`git:${d.token}`).toString('base64')}` } });
  assert.equal(basic.status, 200, 'basic auth with the token as password works (git uses it)');
  assert.equal((await d.api('GET', '/v1/apps/secretapp')).status, 200, 'nothing was destroyed by the refused calls');
});

test('apps and config over the API, with the right statuses', async (t) => {
  const d = await Daemon.start(t);
  const created = await d.api('POST', '/v1/apps', { name: 'hello' });
  assert.equal(created.status, 201);
  assert.equal(created.json.release, 'v1');
  assert.equal((await d.api('POST', '/v1/apps', { name: 'hello' })).status, 409);
  assert.equal((await d.api('POST', '/v1/apps', { name: 'Hello' })).json.error.code, 'E_APP_NAME_INVALID');
  assert.equal((await d.api('POST', '/v1/apps', { name: 'Hello' })).status, 422);
  const extra = await d.api('POST', '/v1/apps', { name: 'ok-name', owner: 'x' });
  assert.equal(extra.status, 422);
  assert.match(extra.json.error.message, /unknown key\(s\) owner/);
  assert.equal((await d.api('POST', '/v1/apps', '{"name": ')).status, 400);
  const generated = await d.api('POST', '/v1/apps');
  assert.equal(generated.status, 201);
  assert.match(generated.json.name, /^[a-z]+-[a-z]+-\d{4}$/);

  const patched = await d.api('PATCH', '/v1/apps/hello/config', { A: '1', B: 'ünïcødé ✓' });
  assert.deepEqual(patched.json, { config: { A: '1', B: 'ünïcødé ✓' }, release: 'v2' });
  assert.deepEqual((await d.api('PATCH', '/v1/apps/hello/config', { A: null })).json, { config: { B: 'ünïcødé ✓' }, release: 'v3' });
  assert.deepEqual((await d.api('PATCH', '/v1/apps/hello/config', { A: null })).json, { config: { B: 'ünïcødé ✓' }, release: null }, 'no change, no release');
  assert.deepEqual((await d.api('GET', '/v1/apps/hello/config')).json, { B: 'ünïcødé ✓' });

  assert.equal((await d.api('GET', '/v1/apps/nope')).status, 404);
  assert.equal((await d.api('GET', '/v1/apps/nope/config')).json.error.code, 'E_APP_NOT_FOUND');
  assert.equal((await d.api('GET', '/v1/apps/..%2Fetc')).status, 422);
  assert.equal((await d.api('PATCH', '/v1/apps/hello/config', { 'BAD-KEY': 'x' })).status, 422);
  const tooBig = await d.api('PATCH', '/v1/apps/hello/config', { K: 'x'.repeat(300 * 1024) });
  assert.equal(tooBig.status, 413);
  assert.equal(tooBig.json.error.code, 'E_BODY_TOO_LARGE');
  const valueTooBig = await d.api('PATCH', '/v1/apps/hello/config', { K: `hunter2${'x'.repeat(33 * 1024)}` });
  assert.equal(valueTooBig.status, 422);
  assert.ok(!valueTooBig.text.includes('hunter2'));
  const parts = { A1: 'a'.repeat(30_000), A2: 'a'.repeat(30_000), A3: 'a'.repeat(30_000) };
  const overTotal = await d.api('PATCH', '/v1/apps/hello/config', parts);
  assert.equal(overTotal.status, 422);
  assert.match(overTotal.json.error.message, /limit is 65536 bytes per app/);
  assert.deepEqual((await d.api('GET', '/v1/apps/hello/config')).json, { B: 'ünïcødé ✓' }, 'a refused change changes nothing');
  assert.equal((await d.api('PATCH', '/v1/apps/hello/config', '[1,2]')).status, 422);

  assert.equal((await d.api('DELETE', '/v1/apps/hello')).status, 200);
  assert.equal((await d.api('GET', '/v1/apps/hello')).status, 404);
  assert.equal((await d.api('DELETE', '/v1/apps/hello')).status, 404);
  const server = await d.api('GET', '/v1/server');
  assert.deepEqual(server.json, { version: d.info.version, api: d.info.api, router: d.info.router, domain: 'localhost' });
});

test('the router listener answers by Host: 404 for strangers, 503 H14 for an app with nothing running', async (t) => {
  const d = await Daemon.start(t);
  await d.api('POST', '/v1/apps', { name: 'hello' });
  const port = new URL(d.info.router).port;
  const get = (host: string) => httpGet(`${d.info.router}/`, { host });
  const known = await get(`hello.localhost:${port}`);
  assert.equal(known.status, 503);
  assert.match(known.body, /H14/);
  assert.equal((await get('nope.localhost')).status, 404);
  assert.equal((await get('evil.example.com')).status, 404);
  await d.api('DELETE', '/v1/apps/hello');
  assert.equal((await get(`hello.localhost:${port}`)).status, 404);
});
