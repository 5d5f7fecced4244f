import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { BlobStore } from './blob-store.js';
import { replaceBaseLayers, writeImage } from './image.js';
import { layerFromDirectory } from './layer.js';
import { freePort } from '../lib/net.js';
import { startTestRegistry } from '../testkit/index.js';
import { parseImageReference, pushImage } from './registry-push.js';

function tmp(t: TestContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-push-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function twoImages(dir: string) {
  const store = new BlobStore(path.join(dir, 'store'));
  const mk = async (name: string, files: Record<string, string>, prefix: string) => {
    const root = path.join(dir, name);
    for (const [rel, body] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), body);
    }
    return layerFromDirectory(store, root, { prefix });
  };
  const s1 = await mk('s1', { 'etc/stack': 'one', 'usr/lib/big': 'x'.repeat(100_000) }, '');
  const s2 = await mk('s2', { 'etc/stack': 'two', 'usr/lib/big': 'y'.repeat(100_000) }, '');
  const app = await mk('app', { 'server.js': 'z'.repeat(50_000) }, 'app');
  const img = writeImage(store, { layers: [s1, app], env: {}, workingDir: '/app', labels: {}, created: '2026-01-01T00:00:00Z' });
  return { store, img, s2 };
}

test('image references name a registry, a repository and a tag', () => {
  assert.deepEqual(parseImageReference('localhost:5000/team/hello:v3'), { registry: 'localhost:5000', repository: 'team/hello', tag: 'v3' });
  assert.deepEqual(parseImageReference('127.0.0.1:5000/hello'), { registry: '127.0.0.1:5000', repository: 'hello', tag: 'latest' });
  for (const bad of ['hello:v3', 'localhost:5000/Hello:v3', 'localhost:5000/hello:-x', 'local host/hello', 'localhost:5000/a/../b:v1']) {
    assert.throws(() => parseImageReference(bad), { code: 'E_VALIDATION' }, bad);
  }
});

test('push to a real registry uploads each blob once; a rebased image sends only config and manifest', async (t) => {
  const dir = tmp(t);
  const reg = await startTestRegistry();
  t.after(() => reg.stop());
  const { store, img, s2 } = await twoImages(dir);
  const first = await pushImage(store, img.digest, parseImageReference(`${reg.address}/hello:v1`), { insecure: true });
  assert.equal(first.blobsUploaded, 3);
  assert.equal(first.blobsSkipped, 0);
  const got = await fetch(`http://${reg.address}/v2/hello/manifests/v1`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(got.status, 200);
  assert.equal(got.headers.get('docker-content-digest'), img.digest);
  assert.deepEqual(Buffer.from(await got.arrayBuffer()), store.read(img.digest));

  const again = await pushImage(store, img.digest, parseImageReference(`${reg.address}/hello:v1`), { insecure: true });
  assert.equal(again.blobsUploaded, 0);
  assert.equal(again.blobsSkipped, 3);

  const rebased = replaceBaseLayers(store, img, { oldBaseCount: 1, newBase: [s2] });
  const second = await pushImage(store, rebased.digest, parseImageReference(`${reg.address}/hello:v2`), { insecure: true });
  assert.equal(second.blobsUploaded, 2, 'the new stack layer and the new config');
  assert.equal(second.blobsSkipped, 1, 'the app layer is already there');
  const layer = await fetch(`http://${reg.address}/v2/hello/blobs/${rebased.manifest.layers[0]?.digest}`);
  assert.equal(layer.status, 200);
  await layer.body?.cancel();
});

test('a registry that asks for credentials: refused without them, accepted with them', async (t) => {
  const dir = tmp(t);
  const user = { username: 'ci', password: 'pa$$ word' };
  const reg = await startTestRegistry({ user });
  t.after(() => reg.stop());
  const { store, img } = await twoImages(dir);
  const ref = parseImageReference(`${reg.address}/hello:v1`);
  await assert.rejects(pushImage(store, img.digest, ref, { insecure: true }), { code: 'E_REGISTRY_UNAUTHORIZED', message: /401/ });
  await assert.rejects(pushImage(store, img.digest, ref, { insecure: true, credentials: { ...user, password: 'wrong' } }), { code: 'E_REGISTRY_UNAUTHORIZED' });
  const ok = await pushImage(store, img.digest, ref, { insecure: true, credentials: user });
  assert.equal(ok.blobsUploaded, 3);
});

test('connection refused and a server that is no registry give clear errors', async (t) => {
  const dir = tmp(t);
  const { store, img } = await twoImages(dir);
  const closed = await freePort();
  await assert.rejects(pushImage(store, img.digest, parseImageReference(`127.0.0.1:${closed}/hello:v1`), { insecure: true }), {
    code: 'E_REGISTRY_UNREACHABLE',
    message: /ECONNREFUSED/,
  });
  // A plain web server: /v2/ is 404, as on a mistyped address.
  const web = http.createServer((_req, res) => res.writeHead(404).end('not found')).listen(0, '127.0.0.1');
  await new Promise((r) => web.once('listening', r));
  t.after(() => web.close());
  const port = (web.address() as AddressInfo).port;
  await assert.rejects(pushImage(store, img.digest, parseImageReference(`127.0.0.1:${port}/hello:v1`), { insecure: true }), {
    code: 'E_REGISTRY_NOT_FOUND',
    message: /not an OCI registry/,
  });
  // Without --insecure, a plain-HTTP registry fails the TLS handshake.
  await assert.rejects(pushImage(store, img.digest, parseImageReference(`127.0.0.1:${port}/hello:v1`)), { code: 'E_REGISTRY_UNREACHABLE', message: /cannot be reached/ });
});
