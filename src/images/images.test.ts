import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test, type TestContext } from 'node:test';
import { BlobStore } from './blob-store.js';
import { exportImage, importImage } from './archive.js';
import { collectGarbage } from './gc.js';
import { layersOf, readImage, replaceBaseLayers, writeImage, type ImageSpec } from './image.js';
import { layerFromDirectory, type Layer } from './layer.js';
import { UnpackedLayers } from './unpacked.js';

function tmp(t: TestContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-images-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function tree(root: string, files: Record<string, string>): string {
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), body);
  }
  return root;
}

function spec(layers: Layer[], labels: Record<string, string> = {}): ImageSpec {
  return { layers, env: { PATH: '/usr/bin:/bin' }, workingDir: '/app', user: '1000:1000', cmd: ['/bin/sh', '-c', 'echo hi'], labels, created: '2026-01-01T00:00:00Z' };
}

/** `tar -tvzf` of a blob: what GNU tar (as docker's loader would) sees in it. */
function listLayer(store: BlobStore, layer: Layer): string[] {
  return execFileSync('tar', ['-tvzf', store.pathOf(layer.digest), '--numeric-owner'], { encoding: 'utf8' }).trim().split('\n');
}

test('a directory layer is reproducible: same tree gives the same digests, under its prefix, owned by root', async (t) => {
  const dir = tmp(t);
  const store = new BlobStore(path.join(dir, 'store'));
  const a = tree(path.join(dir, 'a'), { 'server.js': 'x', 'lib/b.js': 'b', 'lib/a.js': 'a' });
  const b = tree(path.join(dir, 'b'), { 'lib/a.js': 'a', 'lib/b.js': 'b', 'server.js': 'x' });
  symlinkSync('server.js', path.join(a, 'link'));
  symlinkSync('server.js', path.join(b, 'link'));
  linkSync(path.join(a, 'server.js'), path.join(a, 'hard.js'));
  linkSync(path.join(b, 'server.js'), path.join(b, 'hard.js'));
  const la = await layerFromDirectory(store, a, { prefix: 'app' });
  const lb = await layerFromDirectory(store, b, { prefix: 'app' });
  assert.equal(la.digest, lb.digest);
  assert.equal(la.diffId, lb.diffId);
  assert.notEqual(la.digest, la.diffId);
  assert.equal(statSync(store.pathOf(la.digest)).size, la.size);
  const listing = listLayer(store, la);
  const names = listing.map((l) => l.split(/\s+/).slice(5).join(' '));
  assert.deepEqual(names, ['app/', 'app/hard.js', 'app/lib/', 'app/lib/a.js', 'app/lib/b.js', 'app/link -> server.js', 'app/server.js link to app/hard.js']);
  assert.ok(listing.every((l) => l.split(/\s+/)[1] === '0/0'), listing.join('\n'));
  writeFileSync(path.join(b, 'server.js'), 'y');
  const changed = await layerFromDirectory(store, b, { prefix: 'app' });
  assert.notEqual(changed.digest, la.digest);
});

test('an image round-trips through the store; rebase swaps base layers and keeps the app layer byte for byte', async (t) => {
  const dir = tmp(t);
  const store = new BlobStore(path.join(dir, 'store'));
  const s1 = await layerFromDirectory(store, tree(path.join(dir, 's1'), { 'etc/stack': 'one' }), { prefix: '' });
  const s2 = await layerFromDirectory(store, tree(path.join(dir, 's2'), { 'etc/stack': 'two' }), { prefix: '' });
  const app = await layerFromDirectory(store, tree(path.join(dir, 'app'), { 'server.js': 'app' }), { prefix: 'app' });
  const img = writeImage(store, spec([s1, app], { 'io.slipway.stack': 's1' }));
  const back = readImage(store, img.digest);
  assert.deepEqual(layersOf(back), [s1, app]);
  assert.equal(back.config.config?.WorkingDir, '/app');
  assert.deepEqual(back.config.config?.Env, ['PATH=/usr/bin:/bin']);
  assert.equal(writeImage(store, spec([s1, app], { 'io.slipway.stack': 's1' })).digest, img.digest, 'same inputs, same image');

  const blobsBefore = new Set(store.list());
  const rebased = replaceBaseLayers(store, back, { oldBaseCount: 1, newBase: [s2], labels: { 'io.slipway.stack': 's2' } });
  assert.deepEqual(layersOf(rebased), [s2, app]);
  assert.equal(rebased.manifest.layers[1]?.digest, img.manifest.layers[1]?.digest);
  assert.equal(rebased.config.config?.Labels?.['io.slipway.stack'], 's2');
  assert.equal(rebased.config.config?.WorkingDir, '/app');
  const added = store.list().filter((d) => !blobsBefore.has(d));
  assert.deepEqual(new Set(added), new Set([rebased.digest, rebased.configDigest]), 'a rebase writes only a config and a manifest');
});

test('an image refers only to layers that are stored', async (t) => {
  const dir = tmp(t);
  const store = new BlobStore(path.join(dir, 'store'));
  const fake: Layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${'0'.repeat(64)}`, size: 1, diffId: `sha256:${'1'.repeat(64)}` };
  assert.throws(() => writeImage(store, spec([fake])), { code: 'E_BLOB_NOT_FOUND' });
});

test('export writes an OCI layout plus docker manifest.json; import reads it back; a cut archive stores nothing', async (t) => {
  const dir = tmp(t);
  const store = new BlobStore(path.join(dir, 'store'));
  const base = await layerFromDirectory(store, tree(path.join(dir, 'base'), { 'etc/os-release': 'ID=test' }), { prefix: '' });
  const app = await layerFromDirectory(store, tree(path.join(dir, 'app'), { 'server.js': 'x'.repeat(200_000) }), { prefix: 'app', level: 0 });
  const img = writeImage(store, spec([base, app]));
  const archive = path.join(dir, 'img.tar');
  await exportImage(store, img.digest, createWriteStream(archive), { tag: 'hello:v1' });

  const unpacked = path.join(dir, 'unpacked');
  mkdirSync(unpacked);
  execFileSync('tar', ['-xf', archive, '-C', unpacked]);
  assert.deepEqual(JSON.parse(readFileSync(path.join(unpacked, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
  const index = JSON.parse(readFileSync(path.join(unpacked, 'index.json'), 'utf8'));
  assert.equal(index.manifests[0].digest, img.digest);
  const docker = JSON.parse(readFileSync(path.join(unpacked, 'manifest.json'), 'utf8'));
  assert.deepEqual(docker[0].RepoTags, ['hello:v1']);
  for (const p of [docker[0].Config, ...docker[0].Layers]) assert.ok(existsSync(path.join(unpacked, p)), p);
  // Docker's loader checks each layer's uncompressed digest against the config's diff_ids.
  const cfg = JSON.parse(readFileSync(path.join(unpacked, docker[0].Config), 'utf8'));
  docker[0].Layers.forEach((p: string, i: number) => {
    const sum = execFileSync('sh', ['-c', 'gzip -dc "$1" | sha256sum', 'sh', path.join(unpacked, p)], { encoding: 'utf8' }).split(' ')[0];
    assert.equal(`sha256:${sum}`, cfg.rootfs.diff_ids[i]);
  });

  const other = new BlobStore(path.join(dir, 'other'));
  const imported = await importImage(other, createReadStream(archive));
  assert.equal(imported.digest, img.digest);
  assert.equal(other.list().length, 4);

  const cut = path.join(dir, 'cut.tar');
  writeFileSync(cut, readFileSync(archive));
  truncateSync(cut, Math.floor(statSync(archive).size / 2));
  const third = new BlobStore(path.join(dir, 'third'));
  await assert.rejects(importImage(third, createReadStream(cut)), { code: 'E_IMAGE_INVALID', message: /cut short|could not be read|lacks/ });
  assert.deepEqual(third.list(), []);
  assert.deepEqual(readdirSync(path.join(third.root, 'tmp')), [], 'no temp file left behind');
  await assert.rejects(importImage(third, Readable.from([Buffer.from('not a tar at all')])), { code: 'E_IMAGE_INVALID' });
});

test('a stream whose content does not match the expected digest is refused and leaves nothing', async (t) => {
  const dir = tmp(t);
  const store = new BlobStore(path.join(dir, 'store'));
  const good = store.putBytes('hello');
  await assert.rejects(store.putStream(Readable.from([Buffer.from('hell')]), good.digest), { code: 'E_IMAGE_INVALID' });
  store.delete(good.digest);
  assert.deepEqual(store.list(), []);
  assert.deepEqual(readdirSync(path.join(store.root, 'tmp')), []);
  // A temp file of a writer that died (pid 2^22+1 never runs) is removed when a store opens on the root.
  writeFileSync(path.join(store.root, 'tmp', '4194305-deadbeef'), 'half');
  new BlobStore(store.root);
  assert.deepEqual(readdirSync(path.join(store.root, 'tmp')), []);
});

test('gc keeps the blobs of kept images, including shared layers, and removes the rest after the grace period', async (t) => {
  const dir = tmp(t);
  const store = new BlobStore(path.join(dir, 'store'));
  const base = await layerFromDirectory(store, tree(path.join(dir, 'base'), { 'etc/x': '1' }), { prefix: '' });
  const a1 = await layerFromDirectory(store, tree(path.join(dir, 'a1'), { 'v': '1' }), { prefix: 'app' });
  const a2 = await layerFromDirectory(store, tree(path.join(dir, 'a2'), { 'v': '2' }), { prefix: 'app' });
  const v1 = writeImage(store, spec([base, a1]));
  const v2 = writeImage(store, spec([base, a2]));
  assert.deepEqual(collectGarbage(store, [v2.digest], { graceMs: 60_000 }).removed, [], 'young blobs are spared');
  const res = collectGarbage(store, [v2.digest], { graceMs: 0 });
  assert.deepEqual(new Set(res.removed), new Set([v1.digest, v1.configDigest, a1.digest]));
  assert.ok(res.bytesFreed > 0);
  assert.doesNotThrow(() => readImage(store, v2.digest));
  assert.ok(store.has(base.digest));
});

test('layers unpack once, owners and modes kept, and prune removes the ones no longer used', async (t) => {
  const dir = tmp(t);
  const store = new BlobStore(path.join(dir, 'store'));
  const src = tree(path.join(dir, 'src'), { 'bin/run': '#!/bin/sh\n', 'etc/conf': 'c' });
  execFileSync('chmod', ['4755', path.join(src, 'bin/run')]);
  execFileSync('chown', ['1234:2345', path.join(src, 'etc/conf')]);
  const layer = await layerFromDirectory(store, src, { prefix: '', owner: 'keep' });
  const layers = new UnpackedLayers(store, path.join(dir, 'layers'));
  const [p1, p2] = await Promise.all([layers.ensure(layer.digest), layers.ensure(layer.digest)]);
  assert.equal(p1, p2);
  assert.equal(statSync(path.join(p1, 'bin/run')).mode & 0o7777, 0o4755);
  assert.equal(statSync(path.join(p1, 'etc/conf')).uid, 1234);
  assert.equal(statSync(path.join(p1, 'etc/conf')).gid, 2345);
  assert.equal(layers.prune(new Set([layer.digest])), 0);
  assert.equal(layers.prune(new Set()), 1);
  assert.ok(!existsSync(p1));
});
