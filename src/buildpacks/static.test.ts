// The static buildpack's server, vendored into a built copy of static-site and hit over real HTTP.
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { build, httpGet, startProcess, waitForHttp, workspace } from '../testkit/index.js';
import { freePort } from '../lib/index.js';

async function serveStaticSite(t: TestContext): Promise<{ port: number; dir: string }> {
  const ws = await workspace(t, 'static-site');
  const { result } = await build(ws);
  assert.deepEqual(result.defaultProcessTypes, { web: 'node .slipway/static-server.mjs' });
  // Things that exist in the app dir but must never be served.
  await writeFile(path.join(ws.buildDir, 'Procfile'), 'web: node .slipway/static-server.mjs\n');
  await writeFile(path.join(ws.buildDir, '.env'), 'SECRET=1\n');
  await writeFile(path.join(ws.root, 'outside.txt'), 'outside the app\n');
  await symlink(path.join(ws.root, 'outside.txt'), path.join(ws.buildDir, 'escape.txt'));
  await mkdir(path.join(ws.buildDir, 'img'));
  await writeFile(path.join(ws.buildDir, 'img/logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await writeFile(path.join(ws.buildDir, 'blob.bin'), Buffer.from([0, 1, 2]));
  const port = await freePort();
  // The release's command, from the app root, with only PORT and PATH.
  startProcess(t, ['node', '.slipway/static-server.mjs'], { cwd: ws.buildDir, env: { PATH: process.env['PATH'] ?? '', PORT: String(port) } });
  await waitForHttp(port);
  return { port, dir: ws.buildDir };
}

test('static server: files, content types, caching headers, directories, 404 and 405', async (t) => {
  const { port } = await serveStaticSite(t);
  const base = `http://127.0.0.1:${port}`;

  const home = await httpGet(`${base}/`);
  assert.equal(home.status, 200);
  assert.equal(home.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(home.headers['cache-control'], 'no-cache');
  assert.match(home.body, /static-site home/);

  const css = await httpGet(`${base}/style.css?v=1`);
  assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
  assert.equal(css.headers['cache-control'], 'public, max-age=3600');
  assert.ok(css.headers['etag'] && css.headers['last-modified']);

  assert.equal((await httpGet(`${base}/img/logo.svg`)).headers['content-type'], 'image/svg+xml; charset=utf-8');
  assert.equal((await httpGet(`${base}/blob.bin`)).headers['content-type'], 'application/octet-stream');

  const etag = String(css.headers['etag']);
  const notModified = await httpGet(`${base}/style.css`, { 'If-None-Match': etag });
  assert.equal(notModified.status, 304);
  assert.equal(notModified.body, '');
  const changed = await httpGet(`${base}/style.css`, { 'If-None-Match': '"other"' });
  assert.equal(changed.status, 200);
  const sinceLater = await httpGet(`${base}/style.css`, { 'If-Modified-Since': String(css.headers['last-modified']) });
  assert.equal(sinceLater.status, 304);

  const redirect = await httpGet(`${base}/sub?x=1`);
  assert.equal(redirect.status, 301);
  assert.equal(redirect.headers['location'], '/sub/?x=1');
  const sub = await httpGet(`${base}/sub/`);
  assert.match(sub.body, /static-site sub page/);

  const missing = await httpGet(`${base}/nope.html`);
  assert.equal(missing.status, 404);
  assert.match(missing.body, /static-site custom 404/);

  const head = await httpGet(`${base}/style.css`, {}, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.equal(head.headers['content-length'], String(Buffer.byteLength(css.body)));

  const post = await httpGet(`${base}/`, {}, { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers['allow'], 'GET, HEAD');
});

test('static server: traversal, dotfiles, platform files and escaping symlinks are refused', async (t) => {
  const { port } = await serveStaticSite(t);
  const base = `http://127.0.0.1:${port}`;
  for (const p of ['/../outside.txt', '/%2e%2e/outside.txt', '/sub/..%2f..%2foutside.txt', '/sub/%2E%2E/%2E%2E/outside.txt']) {
    const res = await httpGet(`${base}${p}`);
    assert.equal(res.status, 403, `${p} → ${res.status}`);
    assert.doesNotMatch(res.body, /outside the app/);
  }
  for (const p of ['/.env', '/.slipway/static-server.mjs', '/Procfile', '/escape.txt', '/sub/../.env', '/%2eenv']) {
    const res = await httpGet(`${base}${p}`);
    assert.ok(res.status === 404 || res.status === 403, `${p} → ${res.status}`);
    assert.doesNotMatch(res.body, /SECRET|outside the app|createServer/);
  }
  assert.equal((await httpGet(`${base}/%E0%A4%A`)).status, 400);
  assert.equal((await httpGet(`${base}/a%00b`)).status, 400);
  // A path that looks protocol-relative never turns into an off-site redirect.
  const odd = await httpGet(`${base}//sub`);
  assert.equal(odd.headers['location'], '/sub/');
});
