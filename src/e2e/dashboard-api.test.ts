// The dashboard's server side over real HTTP: sessions, CSRF, the bundle, and SSE log resumption.
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { waitFor } from '../lib/index.js';
import { Daemon, httpGet } from '../testkit/index.js';

async function call(d: Daemon, method: string, path: string, headers: Record<string, string> = {}, body?: unknown): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(d.info.api + path, { method, headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

test('dashboard sessions: log in with a token, cookie flags, CSRF on every change, logout; the shell is public, data is not', async (t) => {
  const d = await Daemon.start(t);
  assert.equal((await d.api('POST', '/v1/apps', { name: 'one' })).status, 201);

  const shell = await call(d, 'GET', '/apps/one/logs');
  assert.equal(shell.status, 200);
  assert.match(shell.text, /<div id="root"><\/div>/);
  assert.match(shell.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  const asset = /src="(\/assets\/app-[^"]+\.js)"/.exec(shell.text)?.[1];
  assert.ok(asset);
  const js = await call(d, 'GET', asset, { 'accept-encoding': 'br' });
  assert.equal(js.status, 200);
  assert.match(js.headers.get('cache-control') ?? '', /immutable/);
  assert.equal((await call(d, 'GET', '/assets/nope.js')).status, 404);
  assert.equal((await call(d, 'GET', '/v1/nope')).status, 401, 'unknown API paths say nothing without a login');
  assert.equal((await call(d, 'GET', '/v1/apps')).status, 401);

  const bad = await call(d, 'POST', '/v1/session', {}, { token: 'wrong' });
  assert.equal(bad.status, 401);
  assert.equal(bad.headers.get('set-cookie'), null);
  const login = await call(d, 'POST', '/v1/session', {}, { token: d.token });
  assert.equal(login.status, 201);
  const setCookie = login.headers.get('set-cookie') ?? '';
  assert.match(setCookie, /^slipway_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/, 'not Secure on plain HTTP');
  const cookie = setCookie.split(';')[0] as string;
  const csrf = (JSON.parse(login.text) as { csrf: string }).csrf;
  assert.ok(csrf.length >= 32);

  assert.equal((await call(d, 'GET', '/v1/apps', { cookie })).status, 200);
  assert.equal(JSON.parse((await call(d, 'GET', '/v1/session', { cookie })).text).csrf, csrf, 'a reloaded page gets its CSRF token back');
  // changes: without the token, with a wrong one, from another origin, from another site: all refused, nothing changed
  const scale = { updates: [{ type: 'web', quantity: 0 }] };
  const refused: Record<string, string>[] = [{ cookie }, { cookie, 'x-slipway-csrf': 'x'.repeat(csrf.length) }, { cookie, 'x-slipway-csrf': csrf, origin: 'http://evil.example' }, { cookie, 'x-slipway-csrf': csrf, 'sec-fetch-site': 'cross-site' }];
  for (const headers of refused) {
    const r = await call(d, 'POST', '/v1/apps', headers, { name: 'two' });
    assert.equal(r.status, 403, JSON.stringify(headers));
    assert.match(r.text, /E_CSRF_REJECTED/);
    assert.equal((await call(d, 'PATCH', '/v1/apps/one/formation', headers, scale)).status, 403);
    assert.equal((await call(d, 'DELETE', '/v1/session', headers)).status, 403);
  }
  assert.equal((await d.api('GET', '/v1/apps/two')).status, 404);
  const ok = await call(d, 'POST', '/v1/apps', { cookie, 'x-slipway-csrf': csrf, origin: d.info.api, 'sec-fetch-site': 'same-origin' }, { name: 'two' });
  assert.equal(ok.status, 201, ok.text);
  // a bearer token needs no CSRF token (no browser sends it on its own)
  assert.equal((await d.api('DELETE', '/v1/apps/two')).status, 200);

  const out = await call(d, 'DELETE', '/v1/session', { cookie, 'x-slipway-csrf': csrf });
  assert.equal(out.status, 200);
  assert.match(out.headers.get('set-cookie') ?? '', /slipway_session=; .*Max-Age=0/);
  assert.equal((await call(d, 'GET', '/v1/apps', { cookie })).status, 401, 'the session is gone, not just the cookie');
});

/** Collects SSE events from the log stream; `until(n)` resolves once n have arrived. */
function openEvents(url: string, headers: Record<string, string>): { until(n: number): Promise<{ id: string; line: string }[]>; close(): void } {
  const got: { id: string; line: string }[] = [];
  let waiter: { n: number; resolve: () => void } | undefined;
  let failed: Error | undefined;
  const check = (): void => {
    if (waiter && got.length >= waiter.n) waiter.resolve();
  };
  const req = http.get(url, { headers, agent: false }, (res) => {
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (s: string) => {
      buf += s;
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const id = /^id: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (id && data) got.push({ id, line: (JSON.parse(data) as { line: string }).line });
      }
      check();
    });
  });
  req.on('error', (err) => (failed = err));
  return {
    until: (n) =>
      waitFor(() => {
        if (failed) throw failed;
        return got.length >= n ? got.slice(0, n) : undefined;
      }, { timeoutMs: 60_000, what: `${n} events` }),
    close: () => req.destroy(),
  };
}

test('log tail over SSE: a reconnect with Last-Event-ID resumes right after the last event, with no gap and no repeat', async (t) => {
  const d = await Daemon.start(t);
  await d.appFromFixture(t, 'tail', 'procfile-only');
  const host = `tail.localhost:${new URL(d.info.router).port}`;
  const hit = async (from: number, to: number): Promise<void> => {
    for (let i = from; i <= to; i++) assert.equal((await httpGet(`${d.info.router}/r${i}`, { host })).status, 200);
  };
  const routerLines = async (): Promise<number> => (await d.api('GET', '/v1/apps/tail/logs?source=router&lines=1000')).text.split('\n').filter((l) => /path="\/r\d+"/.test(l)).length;
  const url = `${d.info.api}/v1/apps/tail/logs?tail=1&format=sse&source=router&lines=1`;
  const auth = { authorization: `Bearer ${d.token}` };

  await hit(1, 1);
  await waitFor(async () => (await routerLines()) >= 1, { timeoutMs: 20_000, what: 'the first router line' });
  const first = openEvents(url, auth);
  t.after(() => first.close());
  // the stream starts with the last line (r1); once it is there the stream is live and r2..r6 arrive
  await first.until(1);
  await hit(2, 6);
  const a = await first.until(6);
  first.close();
  const paths = (evs: { line: string }[]): string[] => evs.map((e) => /path="(\/r\d+)"/.exec(e.line)?.[1] ?? '?');
  assert.deepEqual(paths(a), ['/r1', '/r2', '/r3', '/r4', '/r5', '/r6']);
  assert.equal(new Set(a.map((e) => e.id)).size, 6, 'every event has its own cursor');

  // while disconnected, r7..r10 are logged; the reconnect gets exactly those
  await hit(7, 10);
  await waitFor(async () => (await routerLines()) >= 10, { timeoutMs: 20_000, what: 'r7..r10 logged' });
  const read = async (lastId: string, n: number): Promise<{ id: string; line: string }[]> => {
    const s = openEvents(url, { ...auth, 'last-event-id': lastId });
    try {
      return await s.until(n);
    } finally {
      s.close();
    }
  };
  const b = await read((a.at(-1) as { id: string }).id, 4);
  assert.deepEqual(paths(b), ['/r7', '/r8', '/r9', '/r10']);
  // a cursor in the middle of the first batch resumes from there too
  const c = await read((a[2] as { id: string }).id, 7);
  assert.deepEqual(paths(c), ['/r4', '/r5', '/r6', '/r7', '/r8', '/r9', '/r10']);
});
