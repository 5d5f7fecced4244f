import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { BlobStore, layerFromDirectory, layersOf, readImage, UnpackedLayers, writeImage } from '../images/index.js';
import { smallStackRecipes, tempDir } from '../testkit/index.js';
import { StackCache, defaultStackCacheRoot } from './cache.js';
import type { StackRecipe } from './recipe.js';
import { adoptStack, rebaseImage, REBASABLE_LABEL, stackLabels } from './rebase.js';
import { cycloneDxDocument, spdxDocument } from './sbom.js';

// Two small real stacks that differ by a package version (tzdata, pinned
// in S1) and by their marker file. Built once per machine: the cache is the
// machine-wide one, keyed by content, so later runs take them from it.
const small = smallStackRecipes();
const skip = small ? false : 'the machine\'s apt lists have fewer than two tzdata versions (run apt-get update)';
const { s1: S1, s2: S2, older, newest } = small ?? { s1: undefined as never, s2: undefined as never, older: '', newest: '' };

test('stacks from mmdebstrap: pins take effect, cached by content, SBOMs, rebase keeps the app layer', { skip }, async (t) => {
  const cache = await StackCache.open({ root: defaultStackCacheRoot() });
  const progress: string[] = [];
  const s1 = (await cache.ensure(S1, { onProgress: (l) => progress.push(l) })).stack;
  const s2 = (await cache.ensure(S2, { onProgress: (l) => progress.push(l) })).stack;
  assert.notEqual(s1.id, s2.id);
  const tz = (s: typeof s1) => s.packages.find((p) => p.name === 'tzdata')?.version;
  assert.equal(tz(s1), older, 'the pin took effect');
  assert.equal(tz(s2), newest, 'unpinned gets the newest version of the configured sources');
  assert.ok(s1.packages.some((p) => p.name === 'bash' && p.source === 'bash'));
  assert.match(s1.distro, /^debian-\d+$/);

  const again = await cache.ensure(S1);
  assert.equal(again.built, false, 'the same recipe is never built twice');
  assert.deepEqual(again.stack, s1);
  assert.deepEqual(cache.list().map((s) => s.id).filter((id) => id === s1.id || id === s2.id).sort(), [s1.id, s2.id].sort());

  const spdx = spdxDocument({ name: s1.id, created: s1.created, distro: s1.distro, debs: s1.packages }, 'slipway') as { spdxVersion: string; packages: { name: string; versionInfo: string; externalRefs: { referenceLocator: string }[] }[] };
  assert.equal(spdx.spdxVersion, 'SPDX-2.3');
  const spdxTz = spdx.packages.find((p) => p.name === 'tzdata');
  assert.equal(spdxTz?.versionInfo, older);
  assert.match(spdxTz?.externalRefs[0]?.referenceLocator ?? '', /^pkg:deb\/debian\/tzdata@.+\?arch=all&distro=debian-\d+$/);
  const cdx = cycloneDxDocument({ name: s1.id, created: s1.created, distro: s1.distro, debs: s1.packages }, 'slipway') as { bomFormat: string; components: unknown[] };
  assert.equal(cdx.bomFormat, 'CycloneDX');
  assert.equal(cdx.components.length, s1.packages.length);

  // An image on S1 (stack layers + an app layer) in a home's own store, rebased to S2.
  const home = tempDir(t, 'slipway-stack-home-');
  const store = new BlobStore(path.join(home, 'images'));
  await adoptStack(store, cache, s1);
  mkdirSync(path.join(home, 'app'));
  writeFileSync(path.join(home, 'app', 'server.js'), 'console.log(1)\n');
  const app = await layerFromDirectory(store, path.join(home, 'app'), { prefix: 'app' });
  const v1 = writeImage(store, { layers: [...s1.layers, app], env: {}, workingDir: '/app', labels: stackLabels(s1), created: s1.created });
  const v2 = await rebaseImage(store, cache, readImage(store, v1.digest), s2);
  const l2 = layersOf(v2);
  assert.equal(l2.at(-1)?.digest, app.digest, 'app layer digest unchanged');
  assert.deepEqual(l2.slice(0, -1).map((l) => l.digest), s2.layers.map((l) => l.digest));
  assert.equal(v2.config.config?.Labels?.['io.slipway.stack.id'], s2.id);

  // What a process would see: the marker of S2 and S2's tzdata.
  const unpacked = new UnpackedLayers(store, path.join(home, 'layers'));
  const marker = JSON.parse(readFileSync(path.join(await unpacked.ensure(s2.layers[1]!.digest), 'etc/slipway/stack.json'), 'utf8'));
  assert.equal(marker.id, s2.id);
  const root = await unpacked.ensure(s2.layers[0]!.digest);
  const status = readFileSync(path.join(root, 'var/lib/dpkg/status'), 'utf8');
  assert.match(status, new RegExp(`Package: tzdata\\n(?:.+\\n)*?Version: ${newest.replace(/[.+]/g, '\\$&')}`));

  // Back to S1 (what a rollback restores), and the guards.
  const back = await rebaseImage(store, cache, v2, s1);
  assert.equal(back.digest, v1.digest, 'rebasing back gives the very same image');
  const pinned = writeImage(store, { layers: [...s1.layers, app], env: {}, workingDir: '/app', labels: { ...stackLabels(s1), [REBASABLE_LABEL]: 'false', 'io.slipway.rebasable.reason': 'native module built against libssl3' }, created: s1.created });
  await assert.rejects(rebaseImage(store, cache, pinned, s2), { code: 'E_STACK_INCOMPATIBLE', message: /native module/ });
  await assert.rejects(rebaseImage(store, cache, v1, { ...s2, abi: 'debian-trixie' }), { code: 'E_STACK_INCOMPATIBLE', message: /ABI/ });
  assert.throws(() => cache.get('bookworm-run-000000000000'), { code: 'E_STACK_NOT_FOUND' });
  assert.ok(progress.length === 0 || progress.some((l) => /mmdebstrap/.test(l)));
});

test('a stack with a package that does not exist fails clearly and leaves nothing behind', { skip }, async (t) => {
  const root = tempDir(t, 'slipway-stack-cache-');
  const cache = await StackCache.open({ root });
  const bad: StackRecipe = { kind: 'run', base: 'bookworm', variant: 'essential', packages: [{ name: 'no-such-package-slipway' }] };
  await assert.rejects(cache.ensure(bad), { code: 'E_STACK_PACKAGE_NOT_FOUND', message: /no-such-package-slipway does not exist/ });
  const badVersion: StackRecipe = { ...bad, packages: [{ name: 'tzdata', version: '0.0-slipway' }] };
  await assert.rejects(cache.ensure(badVersion), { code: 'E_STACK_PACKAGE_NOT_FOUND', message: /tzdata has no version 0.0-slipway/ });
  assert.deepEqual(cache.list(), []);
  assert.deepEqual(readdirSync(path.join(root, 'stacks')), []);
  assert.deepEqual(readdirSync(path.join(root, 'locks')), []);
  assert.deepEqual(existsSync(path.join(root, 'work')) ? readdirSync(path.join(root, 'work')) : [], []);
  assert.deepEqual(cache.store.list(), []);
});
