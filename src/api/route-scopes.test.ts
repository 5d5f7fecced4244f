import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { Daemon } from '../testkit/index.js';
import { ROUTE_SCOPES } from './route-scopes.js';

type Outcome = 'allowed' | 'forbidden' | 'hidden';
const RANK = { read: 1, deploy: 2, admin: 3 } as const;

/** A concrete request for a route pattern, on app APP; bodies are harmless (`{}`), ids point at nothing. */
function requestFor(key: string, app: string): { method: string; path: string; body?: string; type?: string } {
  const [method = '', pattern = ''] = key.split(' ');
  let path = pattern.replace(':name', app).replace(':repo', `${app}.git`).replace(':id', '999999').replace(':type', 'web').replace(':host', 'nope.example.com').replace(':user', 'nobody');
  if (pattern.startsWith('/git/')) {
    const push = method === 'POST';
    path = path.replace('*', push ? 'git-receive-pack' : 'info/refs?service=git-upload-pack');
    return push ? { method, path, body: '', type: 'application/x-git-receive-pack-request' } : { method, path };
  }
  return method === 'GET' ? { method, path } : { method, path, body: '{}', type: 'application/json' };
}

async function send(d: Daemon, token: string, r: { method: string; path: string; body?: string; type?: string }): Promise<{ status: number; code?: string }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (r.type) headers['content-type'] = r.type;
  const res = await fetch(d.info.api + r.path, { method: r.method, headers, body: r.body });
  const text = await res.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    code = undefined;
  }
  return { status: res.status, code };
}

function classify(r: { status: number; code?: string }): Outcome | string {
  if (r.status === 403 && r.code === 'E_FORBIDDEN') return 'forbidden';
  if (r.status === 404 && r.code === 'E_APP_NOT_FOUND') return 'hidden';
  if (r.status === 401 || r.status === 403) return `unexpected ${r.status} ${r.code}`;
  return 'allowed';
}

/** The attach route is an HTTP upgrade, outside Fastify's hooks: checked with a raw request. */
function attach(d: Daemon, token: string, app: string): Promise<{ status: number; code?: string }> {
  const spec = Buffer.from(JSON.stringify({ command: ['true'] })).toString('base64url');
  return new Promise((resolve, reject) => {
    const req = http.request(`${d.info.api}/v1/apps/${app}/runs/attach?spec=${spec}`, { headers: { authorization: `Bearer ${token}`, connection: 'Upgrade', upgrade: 'slipway-run' } });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve({ status: 101 });
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, code: (JSON.parse(body) as { error: { code: string } }).error.code }));
    });
    req.on('error', reject);
    req.end();
  });
}

// Destroying the app comes last for each token (it takes the app-limited token with it).
const ROUTES = Object.keys(ROUTE_SCOPES).filter((k) => ROUTE_SCOPES[k]!.scope !== 'public').sort((a, b) => Number(a === 'DELETE /v1/apps/:name') - Number(b === 'DELETE /v1/apps/:name'));

test('every route × scope × own/other app: allowed, 403, or 404 as if the app did not exist', async (t) => {
  const d = await Daemon.start(t);
  const admin = (m: string, p: string, b?: unknown): Promise<{ status: number; json: any }> => d.api(m, p, b);
  for (const app of ['own', 'other']) assert.equal((await admin('POST', '/v1/apps', { name: app })).status, 201);
  assert.equal((await admin('POST', '/v1/users', { name: 'alice' })).status, 201);
  // alice is admin on both apps: what limits her below is the token (scope, one app)
  for (const app of ['own', 'other']) assert.equal((await admin('POST', `/v1/apps/${app}/access`, { user: 'alice', role: 'admin' })).status, 201);

  const failures: string[] = [];
  for (const scope of ['read', 'deploy', 'admin'] as const) {
    const made = await admin('POST', '/v1/tokens', { user: 'alice', scope, app: 'own' });
    assert.equal(made.status, 201, JSON.stringify(made.json));
    const token = made.json.token as string;
    for (const key of ROUTES) {
      const rule = ROUTE_SCOPES[key]!;
      for (const target of rule.app ? ['other', 'own'] : ['-']) {
        const req = requestFor(key, target);
        const need = rule.scope === 'git' ? (req.method === 'POST' ? 'deploy' : 'read') : (rule.scope as keyof typeof RANK);
        const expected: Outcome = target === 'other' ? 'hidden' : target === '-' && need === 'admin' ? 'forbidden' : RANK[scope] >= RANK[need] ? 'allowed' : 'forbidden';
        const got = classify(key === 'GET /v1/apps/:name/runs/attach' ? await attach(d, token, target) : await send(d, token, req));
        if (got !== expected) failures.push(`${scope} token for own: ${req.method} ${req.path} → ${got}, expected ${expected}`);
      }
    }
  }
  // the first admin's token: everything, on every app
  for (const key of ROUTES) {
    const rule = ROUTE_SCOPES[key]!;
    for (const target of rule.app ? ['other'] : ['-']) {
      const req = requestFor(key, target);
      const got = classify(key === 'GET /v1/apps/:name/runs/attach' ? await attach(d, d.token, target) : await send(d, d.token, req));
      if (got !== 'allowed') failures.push(`admin token: ${req.method} ${req.path} → ${got}`);
    }
  }
  assert.deepEqual(failures, []);
});

test('tokens: shown once, hashed, last use recorded, expiry and revocation count on the next request; audit', async (t) => {
  const d = await Daemon.start(t);
  await d.api('POST', '/v1/apps', { name: 'hello' });
  await d.api('POST', '/v1/apps', { name: 'secret' });
  assert.equal((await d.cli(['users:add', 'alice'])).exitCode, 0);
  const access = await d.cli(['access:add', '-a', 'hello', 'alice', '--role', 'deploy']);
  assert.equal(access.exitCode, 0, access.stderr);
  const made = await d.cli(['tokens:create', '--user', 'alice', '--scope', 'deploy', '--app', 'hello', '--expires', '30d']);
  assert.equal(made.exitCode, 0, made.stderr);
  const token = made.stdout.trim();
  assert.match(token, /^slw_[A-Za-z0-9_-]{43}$/, 'stdout is the token alone');
  const alice = (args: string[]): ReturnType<Daemon['cli']> => d.cli(args, { env: { SLIPWAY_TOKEN: token } });

  const listed = await alice(['apps', '--json']);
  assert.deepEqual((JSON.parse(listed.stdout) as { name: string }[]).map((a) => a.name), ['hello'], 'alice sees only hello');
  assert.equal((await alice(['config:set', '-a', 'hello', 'A=1'])).exitCode, 0);
  const other = await alice(['config', '-a', 'secret']);
  assert.match(other.stderr, /app secret not found/);
  const destroy = await alice(['apps:destroy', 'hello', '--confirm', 'hello']);
  assert.match(destroy.stderr, /needs admin on hello/);
  const mint = await alice(['tokens:create', '--user', 'alice', '--scope', 'admin']);
  assert.match(mint.stderr, /may not do this/);

  const tokens = JSON.parse((await d.cli(['tokens', '--json'])).stdout) as { id: number; user: string; app: string | null; last_used_at: string | null; expires_at: string | null; token?: string }[];
  const mine = tokens.find((x) => x.user === 'alice');
  assert.ok(mine?.last_used_at, 'last use recorded');
  assert.ok(mine.expires_at && Date.parse(mine.expires_at) > Date.now() + 29 * 86400_000);
  assert.ok(tokens.every((x) => x.token === undefined), 'listings carry no token');
  const { readFileSync } = await import('node:fs');
  assert.ok(!readFileSync(`${d.home}/state.db`).includes(Buffer.from(token)), 'the token itself is not stored');

  const audit = JSON.parse((await d.cli(['audit', '-a', 'hello', '--json'])).stdout) as { user: string; method: string; path: string; app: string; status: number; remote: string }[];
  const set = audit.find((a) => a.user === 'alice' && a.method === 'PATCH');
  assert.deepEqual(set && { path: set.path, app: set.app, status: set.status, remote: set.remote }, { path: '/v1/apps/hello/config', app: 'hello', status: 200, remote: '127.0.0.1' });
  assert.ok(audit.some((a) => a.user === 'alice' && a.method === 'DELETE' && a.status === 403), 'refused attempts are recorded too');

  assert.equal((await d.cli(['tokens:revoke', String(mine.id)])).exitCode, 0);
  assert.equal((await d.api('GET', '/v1/apps/hello', undefined, token)).status, 401, 'revoked: refused on the next request');

  const short = await d.api('POST', '/v1/tokens', { user: 'alice', scope: 'read', expires: '1s' });
  assert.equal((await d.api('GET', '/v1/apps/hello', undefined, short.json.token)).status, 200);
  const { waitFor } = await import('../lib/index.js');
  await waitFor(async () => (await d.api('GET', '/v1/apps/hello', undefined, short.json.token)).status === 401, { timeoutMs: 10_000, what: 'the 1 s token to expire' });

  for (const bad of [{ user: 'alice', scope: 'root' }, { user: 'nobody', scope: 'read' }, { user: 'alice', scope: 'read', expires: 'soon' }, { user: 'alice', scope: 'read', app: 'nope' }]) {
    const r = await d.api('POST', '/v1/tokens', bad);
    assert.ok(r.status >= 400 && r.status < 500 && r.json.error.message, JSON.stringify(bad));
  }
  assert.equal((await d.cli(['users:remove', 'admin'])).exitCode, 1, 'the last admin cannot be removed');
  assert.equal((await d.cli(['users:remove', 'alice'])).exitCode, 0);
  assert.equal((await d.api('GET', '/v1/apps', undefined, short.json.token)).status, 401, "a removed user's tokens go with them");
});
