// `npm run bench images`: what a rebase costs at the image level (a new
// config + manifest over another stack's layers) and what it uploads, against
// the references of the same run: writing an app layer and image again (the
// least a rebuild does) and a first push. Plus disk: 20 releases of one app and
// 20 apps on one stack in one store vs the same images stored apart. One
// registry repository: blobs are scoped to a repository there.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BlobStore, layerFromDirectory, parseImageReference, pushImage, readImage, writeImage, type Image } from '../src/images/index.js';
import { defaultStackCacheRoot, rebaseImage, stackLabels, adoptStack, StackCache, type Stack } from '../src/stacks/index.js';
import { smallStackRecipes, startTestRegistry } from '../src/testkit/index.js';
import { median, ms, printTable, scoped, writeResults } from './lib.js';

const RUNS = 20;

function appTree(dir: string, seed: number): string {
  for (let i = 0; i < 200; i++) {
    mkdirSync(path.join(dir, 'lib', String(i % 10)), { recursive: true });
    writeFileSync(path.join(dir, 'lib', String(i % 10), `m${i}.js`), `// module ${i} of build ${seed}\n${'export const x = 1;\n'.repeat(200)}`);
  }
  writeFileSync(path.join(dir, 'server.js'), `require('http').createServer((q, s) => s.end('${seed}')).listen(process.env.PORT)\n`);
  return dir;
}

async function appImage(store: BlobStore, stack: Stack, dir: string): Promise<Image> {
  const app = await layerFromDirectory(store, dir, { prefix: 'app' });
  return writeImage(store, { layers: [...stack.layers, app], env: { PORT: '5000' }, workingDir: '/app', cmd: ['node', 'server.js'], labels: stackLabels(stack), created: new Date(0).toISOString() });
}

export async function images(): Promise<void> {
  await scoped(async (t) => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'slipway-bench-images-'));
    t.after(() => rmSync(work, { recursive: true, force: true }));
    const cache = await StackCache.open({ root: defaultStackCacheRoot() });
    const say = (l: string) => process.stderr.write(`${l}\n`);
    // The same two small stacks the stacks test builds (cached per machine).
    const small = smallStackRecipes();
    if (!small) throw new Error('apt lists offer one tzdata version: run apt-get update');
    const s1 = (await cache.ensure(small.s1, { onProgress: say })).stack;
    const s2 = (await cache.ensure(small.s2, { onProgress: say })).stack;
    const store = new BlobStore(path.join(work, 'images'));
    await adoptStack(store, cache, s1);
    await adoptStack(store, cache, s2);

    const rebaseMs: number[] = [];
    const rebuildMs: number[] = [];
    const img = await appImage(store, s1, appTree(path.join(work, 'app0'), 0));
    for (let i = 0; i < RUNS; i++) {
      let t0 = performance.now();
      await rebaseImage(store, cache, readImage(store, img.digest), i % 2 ? s1 : s2);
      rebaseMs.push(performance.now() - t0);
      t0 = performance.now();
      await appImage(store, s2, path.join(work, 'app0'));
      rebuildMs.push(performance.now() - t0);
    }

    const reg = await startTestRegistry();
    t.after(() => reg.stop());
    const push = async (image: Image, tag: string) => {
      const t0 = performance.now();
      const r = await pushImage(store, image.digest, parseImageReference(`${reg.address}/${tag}`), { insecure: true });
      return { ms: performance.now() - t0, bytes: r.bytesUploaded };
    };
    const other = await appImage(store, s2, appTree(path.join(work, 'other'), 99));
    const firstOther = await push(other, 'hello:other');
    const firstApp = await push(img, 'hello:v1');
    const rebased = await rebaseImage(store, cache, img, s2);
    const rebasedPush = await push(rebased, 'hello:v2');

    // Disk: 20 releases of one app, 20 apps, one store; apart = each image's blobs counted on their own.
    const du = (st: BlobStore) => st.list().reduce((n, d) => n + st.stat(d).size, 0);
    const apart = (xs: Image[]) => xs.reduce((n, x) => n + x.manifestSize + x.manifest.config.size + x.manifest.layers.reduce((m, l) => m + l.size, 0), 0);
    const disk: { name: string; shared: number; apart: number }[] = [];
    for (const what of ['20 releases of one app', '20 apps on one stack']) {
      const st = new BlobStore(path.join(work, what.replace(/\W+/g, '-')));
      await adoptStack(st, cache, s1);
      const imgs: Image[] = [];
      for (let i = 0; i < 20; i++) {
        const dir = path.join(work, `${what.length}-${i}`);
        appTree(dir, what.startsWith('20 releases') ? i : 1000 + i);
        if (what.startsWith('20 releases')) writeFileSync(path.join(dir, 'lib', '0', 'm0.js'), `// release ${i}\n`);
        imgs.push(await appImage(st, s1, dir));
      }
      disk.push({ name: what, shared: du(st), apart: apart(imgs) });
    }

    const rows = [
      { name: 'rebase (new config + manifest over another stack)', median: ms(median(rebaseMs)) },
      { name: 'reference: app layer + image written again', median: ms(median(rebuildMs)) },
      { name: 'push of an app on a stack the registry lacks', median: `${ms(firstOther.ms)}, ${(firstOther.bytes / 1e6).toFixed(1)} MB` },
      { name: 'push of a second app, on the other stack (uploaded)', median: `${ms(firstApp.ms)}, ${(firstApp.bytes / 1e3).toFixed(1)} KB` },
      { name: 'push of that app rebased onto the stack already there', median: `${ms(rebasedPush.ms)}, ${rebasedPush.bytes} bytes` },
      ...disk.map((d) => ({ name: `disk: ${d.name}`, median: `${(d.shared / 1e6).toFixed(1)} MB shared vs ${(d.apart / 1e6).toFixed(1)} MB apart (${(d.apart / d.shared).toFixed(1)}x)` })),
    ];
    printTable(`Images and rebase (${RUNS} runs, interleaved; stacks ${s1.id} → ${s2.id})`, rows);
    writeResults('images', { rows, rebaseMs, rebuildMs, firstOther, firstApp, rebasedPush, disk });
  });
}
