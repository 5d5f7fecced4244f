import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, type Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, constants as zlib } from 'node:zlib';
import tar, { type Header, type Pack } from 'tar-stream';
import { rmSync } from 'node:fs';
import type { BlobStore } from './blob-store.js';
import type { Digest } from './digest.js';

export const LAYER_MEDIA_TYPE = 'application/vnd.oci.image.layer.v1.tar+gzip';

/** A stored layer: its compressed blob (digest, size) and the digest of the tar inside (diff id). */
export interface Layer {
  mediaType: typeof LAYER_MEDIA_TYPE;
  digest: Digest;
  size: number;
  diffId: Digest;
}

export interface DirectoryLayerOptions {
  /** Path inside the image the directory's content appears at, e.g. `app` (no leading slash). '' = the root. */
  prefix: string;
  /** Owner written into every entry; 'keep' keeps the files' own (for root filesystems). Default root:root. */
  owner?: { uid: number; gid: number } | 'keep';
  /** Modification time of every entry; 'keep' keeps the files' own. Default the epoch, so equal trees give equal digests. */
  mtime?: Date | 'keep';
  /** gzip level: 1 for big trees built rarely where speed matters more (stacks), default 6. */
  level?: number;
}

/**
 * Stores a tar stream as a gzip layer, hashing the tar (diff id) and the
 * compressed blob (digest) in one pass; nothing is kept if the stream fails.
 * gzip, not zstd: Docker 20.10 loads and pulls only gzip or plain layers.
 */
export async function layerFromTar(store: BlobStore, tarStream: Readable | NodeJS.ReadableStream, level = 6): Promise<Layer> {
  const raw = createHash('sha256');
  const packed = createHash('sha256');
  let size = 0;
  const tmp = store.tempPath();
  try {
    await pipeline(
      tarStream,
      tap((c) => raw.update(c)),
      createGzip({ level, strategy: zlib.Z_DEFAULT_STRATEGY }),
      tap((c) => {
        packed.update(c);
        size += c.length;
      }),
      createWriteStream(tmp, { mode: 0o644, flush: true }),
    );
    const digest: Digest = `sha256:${packed.digest('hex')}`;
    store.adoptTemp(tmp, digest);
    return { mediaType: LAYER_MEDIA_TYPE, digest, size, diffId: `sha256:${raw.digest('hex')}` };
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * A reproducible layer of a directory tree: entries in byte order, parents
 * first, fixed owner and mtime unless asked to keep them, hard links kept as
 * links, symlinks never followed; sockets, fifos and devices skipped.
 */
export async function layerFromDirectory(store: BlobStore, dir: string, opts: DirectoryLayerOptions): Promise<Layer> {
  const pack = tar.pack();
  const producer = writeTree(pack, path.resolve(dir), opts).then(
    () => pack.finalize(),
    (err: unknown) => {
      pack.destroy(err instanceof Error ? err : new Error(String(err)));
      throw err;
    },
  );
  const [layer] = await Promise.all([layerFromTar(store, Readable.from(pack), opts.level), producer]);
  return layer;
}

async function writeTree(pack: Pack, root: string, opts: DirectoryLayerOptions): Promise<void> {
  const prefix = opts.prefix.replace(/^\/+|\/+$/g, '');
  const fixedMtime = opts.mtime === 'keep' ? undefined : (opts.mtime ?? new Date(0));
  const links = new Map<string, string>();
  const parents = prefix === '' ? [] : prefix.split('/').map((_, i, all) => all.slice(0, i + 1).join('/'));
  for (const p of parents) {
    await addEntry(pack, { name: `${p}/`, type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: fixedMtime ?? new Date(0) });
  }
  for await (const rel of walk(root, '')) {
    const abs = path.join(root, rel);
    const st = await lstat(abs);
    const name = prefix === '' ? rel : `${prefix}/${rel}`;
    const base = headerBase(st, opts, fixedMtime);
    if (st.isDirectory()) {
      await addEntry(pack, { ...base, name: `${name}/`, type: 'directory' });
    } else if (st.isSymbolicLink()) {
      await addEntry(pack, { ...base, name, type: 'symlink', linkname: await readlink(abs) });
    } else if (st.isFile()) {
      const key = `${st.dev}:${st.ino}`;
      const first = st.nlink > 1 ? links.get(key) : undefined;
      if (first !== undefined) {
        await addEntry(pack, { ...base, name, type: 'link', linkname: first });
      } else {
        if (st.nlink > 1) links.set(key, name);
        await addEntry(pack, { ...base, name, type: 'file', size: st.size }, abs);
      }
    }
  }
}

function headerBase(st: Stats, opts: DirectoryLayerOptions, fixedMtime: Date | undefined): Partial<Header> {
  const owner = opts.owner === 'keep' ? { uid: st.uid, gid: st.gid } : (opts.owner ?? { uid: 0, gid: 0 });
  return { mode: st.mode & 0o7777, uid: owner.uid, gid: owner.gid, mtime: fixedMtime ?? new Date(Math.floor(st.mtimeMs / 1000) * 1000) };
}

/** Relative paths under root, parents before children, in byte order. */
async function* walk(root: string, rel: string): AsyncGenerator<string> {
  const names = (await readdir(path.join(root, rel), { withFileTypes: true })).sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  for (const d of names) {
    const child = rel === '' ? d.name : `${rel}/${d.name}`;
    if (!(d.isDirectory() || d.isFile() || d.isSymbolicLink())) continue;
    yield child;
    if (d.isDirectory()) yield* walk(root, child);
  }
}

function addEntry(pack: Pack, header: Partial<Header> & { name: string }, file?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
    if (file === undefined) return;
    const src = createReadStream(file);
    src.on('error', (err) => sink.destroy(err));
    src.pipe(sink as unknown as NodeJS.WritableStream);
  });
}

function tap(fn: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      fn(chunk);
      cb(null, chunk);
    },
  });
}
