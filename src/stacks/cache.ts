import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { BlobStore, layerFromDirectory, layerFromTar, parseDigest, type Layer } from '../images/index.js';
import { run, SlipwayError, waitFor, writeFileAtomic, writeFileExclusive } from '../lib/index.js';
import { checkAvailable } from './availability.js';
import { parseDpkgStatus, unmetPins, type InstalledPackage } from './dpkg-status.js';
import { runMmdebstrap } from './mmdebstrap.js';
import { abiOf, mmdebstrapArgs, packageArg, recipeKey, type StackKind, type StackRecipe, type StackVariant } from './recipe.js';
import { debianSourcesFor } from './sources.js';
import { processAlive, removeOrphanedWork, removeWorkDir } from './work-dir.js';

/** A built stack: its layers (root filesystem, then the marker) and what is installed in it. */
export interface Stack {
  id: string;
  kind: StackKind;
  base: string;
  variant: StackVariant;
  abi: string;
  /** `debian-12`: the distro part of package URLs. */
  distro: string;
  created: string;
  key: string;
  requested: string[];
  layers: Layer[];
  packages: InstalledPackage[];
}

export interface StackCacheOptions {
  /** Machine-wide and shared by every Slipway home: see defaultStackCacheRoot. */
  root: string;
  /** Where apt's sources are read (default /etc/apt). */
  aptDir?: string;
}

/** The machine-wide cache: /var/cache/slipway/stacks as root, else under ~/.cache. */
export function defaultStackCacheRoot(): string {
  return process.getuid?.() === 0 ? '/var/cache/slipway/stacks' : path.join(os.homedir(), '.cache', 'slipway', 'stacks');
}

const layerSchema = z.object({
  mediaType: z.literal('application/vnd.oci.image.layer.v1.tar+gzip'),
  digest: z.string().transform((d) => parseDigest(d)),
  size: z.number().int(),
  diffId: z.string().transform((d) => parseDigest(d)),
});
const stackSchema = z.object({
  id: z.string(),
  kind: z.enum(['run', 'build']),
  base: z.string(),
  variant: z.enum(['essential', 'minbase']),
  abi: z.string(),
  distro: z.string(),
  created: z.string(),
  key: z.string(),
  requested: z.array(z.string()),
  layers: z.array(layerSchema),
  packages: z.array(z.object({ name: z.string(), version: z.string(), architecture: z.string(), source: z.string(), sourceVersion: z.string() })),
});

/**
 * Stacks keyed by content (recipe + apt sources + mmdebstrap version): a
 * second server, a reinstall or a test suite asking for the same recipe gets
 * the stack already built. A build works in `work/PID-RANDOM` and publishes
 * its record (`stacks/ID.json`) last, after its blobs, so a build cut off
 * half-way leaves nothing that counts; the next cache opened removes its
 * work directory. One build per key at a time (a lock file holding the pid).
 */
export class StackCache {
  readonly root: string;
  readonly store: BlobStore;
  private readonly aptDir: string;

  private constructor(opts: StackCacheOptions) {
    this.root = path.resolve(opts.root);
    this.aptDir = opts.aptDir ?? '/etc/apt';
    this.store = new BlobStore(path.join(this.root, 'store'));
    mkdirSync(path.join(this.root, 'stacks'), { recursive: true });
    mkdirSync(path.join(this.root, 'locks'), { recursive: true });
  }

  static async open(opts: StackCacheOptions): Promise<StackCache> {
    const cache = new StackCache(opts);
    await removeOrphanedWork(path.join(cache.root, 'work'));
    return cache;
  }

  /** Every stack, oldest first. */
  list(): Stack[] {
    return readdirSync(path.join(this.root, 'stacks'))
      .filter((n) => n.endsWith('.json'))
      .map((n) => this.readRecord(path.join(this.root, 'stacks', n)))
      .filter((s) => s.layers.every((l) => this.store.has(l.digest)))
      .sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : a.id < b.id ? -1 : 1));
  }

  find(id: string): Stack | undefined {
    if (!/^[a-z0-9-]+$/.test(id)) return undefined;
    const file = path.join(this.root, 'stacks', `${id}.json`);
    if (!existsSync(file)) return undefined;
    const s = this.readRecord(file);
    return s.layers.every((l) => this.store.has(l.digest)) ? s : undefined;
  }

  get(id: string): Stack {
    const s = this.find(id);
    if (!s) throw new SlipwayError('E_STACK_NOT_FOUND', `stack ${id} does not exist`, { hint: 'run `slipway stacks` to list stacks, `slipway stacks:build` to make one' });
    return s;
  }

  /** The id a recipe's stack has (or will have) with the machine's current apt sources. */
  async idFor(recipe: StackRecipe): Promise<{ id: string; key: string; sources: string[] }> {
    const sources = debianSourcesFor(recipe.base, this.readAptSources());
    const version = (await run(['mmdebstrap', '--version']).catch((err: unknown) => {
      throw new SlipwayError('E_STACK_BUILD_FAILED', 'mmdebstrap is not installed', { hint: 'apt-get install mmdebstrap', cause: err });
    })).stdout.trim();
    const key = recipeKey(recipe, sources, { mmdebstrap: version, arch: process.arch });
    return { id: `${recipe.base}-${recipe.kind}-${key.slice(0, 12)}`, key, sources };
  }

  /** The stack of recipe: from the cache, or built now (minutes; progress lines go to onProgress). */
  async ensure(recipe: StackRecipe, opts: { onProgress?: (line: string) => void } = {}): Promise<{ stack: Stack; built: boolean }> {
    const { id, key, sources } = await this.idFor(recipe);
    const cached = this.find(id);
    if (cached) return { stack: cached, built: false };
    await checkAvailable(recipe.packages);
    return this.withLock(id, opts.onProgress, async () => {
      const again = this.find(id);
      if (again) return { stack: again, built: false };
      return { stack: await this.build(recipe, { id, key, sources, onProgress: opts.onProgress }), built: true };
    });
  }

  private async build(recipe: StackRecipe, b: { id: string; key: string; sources: string[]; onProgress?: ((line: string) => void) | undefined }): Promise<Stack> {
    const work = path.join(this.root, 'work', `${process.pid}-${randomBytes(6).toString('hex')}`);
    mkdirSync(work, { recursive: true });
    try {
      const tarball = path.join(work, 'rootfs.tar');
      const started = Date.now();
      b.onProgress?.(`building stack ${b.id} with mmdebstrap (${recipe.variant}, ${recipe.packages.length} packages); this takes one to four minutes`);
      await runMmdebstrap(mmdebstrapArgs(recipe, b.sources, tarball), { env: { ...process.env, TMPDIR: work }, onProgress: b.onProgress });
      const packages = parseDpkgStatus(await fileInTar(tarball, 'var/lib/dpkg/status'));
      const unmet = unmetPins(recipe.packages, packages);
      if (unmet.length) {
        throw new SlipwayError('E_STACK_PIN_IGNORED', `pinned versions were not installed: ${unmet.join(', ')}`, { hint: 'another package needs a different version; pin that one too or drop the pin' });
      }
      const major = (await fileInTar(tarball, 'etc/debian_version')).trim().split('.')[0] ?? recipe.base;
      b.onProgress?.(`storing the root filesystem as a layer (${Math.round((Date.now() - started) / 1000)} s so far)`);
      const rootfs = await layerFromTar(this.store, createReadStream(tarball), 1);
      const stack: Stack = {
        id: b.id,
        kind: recipe.kind,
        base: recipe.base,
        variant: recipe.variant,
        abi: abiOf(recipe),
        distro: /^\d+$/.test(major) ? `debian-${major}` : `debian-${recipe.base}`,
        created: new Date().toISOString(),
        key: b.key,
        requested: recipe.packages.map(packageArg),
        layers: [rootfs],
        packages,
      };
      stack.layers.push(await this.markerLayer(stack, work));
      writeFileAtomic(path.join(this.root, 'stacks', `${stack.id}.json`), JSON.stringify(stack));
      b.onProgress?.(`stack ${stack.id} ready in ${Math.round((Date.now() - started) / 1000)} s`);
      return stack;
    } finally {
      await removeWorkDir(work);
    }
  }

  /** `/etc/slipway/stack.json`: lets a running app (and a person) see which stack it runs on. */
  private async markerLayer(stack: Stack, work: string): Promise<Layer> {
    const dir = path.join(work, 'marker');
    mkdirSync(path.join(dir, 'etc', 'slipway'), { recursive: true });
    const marker = { id: stack.id, kind: stack.kind, base: stack.base, abi: stack.abi, created: stack.created };
    writeFileSync(path.join(dir, 'etc', 'slipway', 'stack.json'), `${JSON.stringify(marker, null, 2)}\n`);
    return layerFromDirectory(this.store, dir, { prefix: '' });
  }

  private async withLock<T>(id: string, onProgress: ((line: string) => void) | undefined, fn: () => Promise<T>): Promise<T> {
    const file = path.join(this.root, 'locks', `${id}.lock`);
    let told = false;
    await waitFor(
      () => {
        try {
          writeFileExclusive(file, String(process.pid), 0o644);
          return true;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
        const holder = Number(readFileSync(file, 'utf8').trim());
        if (!Number.isInteger(holder) || holder <= 0 || !processAlive(holder)) rmSync(file, { force: true });
        else if (!told) {
          onProgress?.(`stack ${id} is being built by process ${holder}; waiting for it`);
          told = true;
        }
        return false;
      },
      { timeoutMs: 60 * 60_000, intervalMs: 500, what: `the build of stack ${id} by another process` },
    );
    try {
      return await fn();
    } finally {
      rmSync(file, { force: true });
    }
  }

  private readRecord(file: string): Stack {
    const res = stackSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!res.success) throw new SlipwayError('E_STATE', `stack record ${file} is invalid: ${res.error.issues[0]?.message}`, { hint: 'remove the file; the stack is built again when needed' });
    return res.data as Stack;
  }

  private readAptSources(): { name: string; text: string }[] {
    const out: { name: string; text: string }[] = [];
    const main = path.join(this.aptDir, 'sources.list');
    if (existsSync(main)) out.push({ name: main, text: readFileSync(main, 'utf8') });
    const dir = path.join(this.aptDir, 'sources.list.d');
    if (existsSync(dir)) {
      for (const n of readdirSync(dir).sort()) {
        if (n.endsWith('.list') || n.endsWith('.sources')) out.push({ name: n, text: readFileSync(path.join(dir, n), 'utf8') });
      }
    }
    return out;
  }
}

/** One member of an (uncompressed) tar, read with GNU tar. */
async function fileInTar(tarball: string, member: string): Promise<string> {
  for (const name of [`./${member}`, member]) {
    const res = await run(['tar', '--extract', '--to-stdout', '--file', tarball, name], { allowFailure: true });
    if (res.exitCode === 0) return res.stdout;
  }
  throw new SlipwayError('E_STACK_BUILD_FAILED', `the stack's root filesystem has no /${member}`);
}
