import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar, { type Pack } from 'tar-stream';
import { SlipwayError } from '../lib/index.js';
import type { BlobStore } from './blob-store.js';
import { hexOf, isDigest, type Digest } from './digest.js';
import { blobsOf, INDEX_MEDIA_TYPE, MANIFEST_MEDIA_TYPE, parseManifestBytes, readImage, type Image } from './image.js';

const MAX_JSON_BYTES = 4 << 20;

/**
 * Writes an image as one tar that is both an OCI image layout (`oci-layout`,
 * `index.json`, `blobs/sha256/...`) and a Docker archive (`manifest.json`
 * naming the same blobs), the format `docker save` writes since Docker 25:
 * `docker load` of Docker 20.10 and newer reads manifest.json (gzip layers
 * are fine there), OCI tools read index.json.
 */
export async function exportImage(store: BlobStore, digest: Digest, out: NodeJS.WritableStream, opts: { tag?: string } = {}): Promise<void> {
  const image = readImage(store, digest);
  const pack = tar.pack();
  const producer = writeArchive(pack, store, image, opts.tag).then(
    () => pack.finalize(),
    (err: unknown) => {
      pack.destroy(err instanceof Error ? err : new Error(String(err)));
      throw err;
    },
  );
  await Promise.all([pipeline(Readable.from(pack), out), producer]);
}

async function writeArchive(pack: Pack, store: BlobStore, image: Image, tag: string | undefined): Promise<void> {
  const epoch = new Date(0);
  const json = (name: string, value: unknown) => addBytes(pack, name, Buffer.from(JSON.stringify(value)), epoch);
  await json('oci-layout', { imageLayoutVersion: '1.0.0' });
  await addDir(pack, 'blobs/', epoch);
  await addDir(pack, 'blobs/sha256/', epoch);
  for (const d of new Set(blobsOf(image))) {
    const size = store.stat(d).size;
    await addStream(pack, `blobs/sha256/${hexOf(d)}`, size, store.openRead(d), epoch);
  }
  const annotations = tag === undefined ? undefined : { 'org.opencontainers.image.ref.name': tag.split(':').pop() ?? tag, 'io.containerd.image.name': tag };
  await json('index.json', {
    schemaVersion: 2,
    mediaType: INDEX_MEDIA_TYPE,
    manifests: [{ mediaType: MANIFEST_MEDIA_TYPE, digest: image.digest, size: image.manifestSize, ...(annotations ? { annotations } : {}) }],
  });
  await json('manifest.json', [
    {
      Config: `blobs/sha256/${hexOf(image.configDigest)}`,
      RepoTags: tag === undefined ? [] : [tag],
      Layers: image.manifest.layers.map((l) => `blobs/sha256/${hexOf(l.digest)}`),
    },
  ]);
}

/**
 * Reads an archive written by exportImage (any OCI image layout in a tar) into
 * the store. Each blob is checked against its name while it streams; nothing
 * is stored unless the whole archive was read and every blob the image needs
 * was in it, so an archive cut short leaves the store as it was.
 */
export async function importImage(store: BlobStore, src: NodeJS.ReadableStream | Readable): Promise<Image> {
  const extract = tar.extract();
  const temps = new Map<Digest, string>();
  let index: Buffer | undefined;
  try {
    const reading = (async () => {
      for await (const entry of extract) {
        const name = entry.header.name.replace(/^\.\//, '');
        const m = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(name);
        if (m && entry.header.type === 'file') {
          const digest = `sha256:${m[1]}` as Digest;
          const tmp = store.tempPath();
          temps.set(digest, tmp);
          await storeVerified(entry as unknown as NodeJS.ReadableStream, tmp, digest);
        } else if (name === 'index.json') {
          index = await readAll(entry as unknown as NodeJS.ReadableStream, MAX_JSON_BYTES, name);
        } else {
          entry.resume();
        }
      }
    })();
    await Promise.all([pipeline(src, extract as unknown as NodeJS.WritableStream), reading]);
  } catch (err) {
    for (const tmp of temps.values()) rmSync(tmp, { force: true });
    if (err instanceof SlipwayError) throw err;
    throw new SlipwayError('E_IMAGE_INVALID', `the image archive could not be read: ${(err as Error).message}`, {
      hint: 'the archive is cut short or not a tar; export it again (slipway releases:export)',
      cause: err,
    });
  }
  try {
    const digest = manifestDigestFromIndex(index);
    const manifestTmp = temps.get(digest);
    if (manifestTmp === undefined && !store.has(digest)) throw missing(digest);
    const manifest = manifestTmp === undefined ? store.read(digest) : await readFile(manifestTmp);
    const parsed = parseManifestBytes(manifest, `manifest ${digest}`);
    for (const d of [parsed.config.digest, ...parsed.layers.map((l) => l.digest)]) {
      if (!temps.has(d) && !store.has(d)) throw missing(d);
    }
    for (const [d, tmp] of temps) store.adoptTemp(tmp, d);
    return readImage(store, digest);
  } finally {
    for (const tmp of temps.values()) rmSync(tmp, { force: true });
  }
}

function manifestDigestFromIndex(index: Buffer | undefined): Digest {
  if (index === undefined) throw new SlipwayError('E_IMAGE_INVALID', 'the image archive has no index.json', { hint: 'only OCI image layouts are read (slipway releases:export writes one)' });
  let parsed: unknown;
  try {
    parsed = JSON.parse(index.toString('utf8'));
  } catch (err) {
    throw new SlipwayError('E_IMAGE_INVALID', 'index.json is not JSON', { cause: err });
  }
  const manifests = (parsed as { manifests?: unknown }).manifests;
  if (!Array.isArray(manifests) || manifests.length !== 1) throw new SlipwayError('E_IMAGE_INVALID', 'index.json must list exactly one manifest');
  const d = (manifests[0] as { digest?: unknown }).digest;
  if (!isDigest(d)) throw new SlipwayError('E_IMAGE_INVALID', 'index.json: manifests[0].digest is not a sha256 digest');
  return d;
}

function missing(d: Digest): SlipwayError {
  return new SlipwayError('E_IMAGE_INVALID', `the image archive lacks blob ${d}`, { hint: 'the archive is incomplete; export it again' });
}

async function storeVerified(entry: NodeJS.ReadableStream, tmp: string, digest: Digest): Promise<void> {
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _e, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  await pipeline(entry, tap, createWriteStream(tmp, { mode: 0o644 }));
  const got = `sha256:${hash.digest('hex')}`;
  if (got !== digest) throw new SlipwayError('E_IMAGE_INVALID', `blob ${digest} in the archive has content ${got}`, { hint: 'the archive is corrupted; export it again' });
}

async function readAll(stream: NodeJS.ReadableStream, max: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of stream as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > max) throw new SlipwayError('E_IMAGE_INVALID', `${what} is larger than ${max} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

function readFile(file: string): Promise<Buffer> {
  return readAll(createReadStream(file), MAX_JSON_BYTES, 'manifest');
}

function addDir(pack: Pack, name: string, mtime: Date): Promise<void> {
  return new Promise((resolve, reject) => pack.entry({ name, type: 'directory', mode: 0o755, mtime }, (err) => (err ? reject(err) : resolve())));
}

function addBytes(pack: Pack, name: string, data: Buffer, mtime: Date): Promise<void> {
  return new Promise((resolve, reject) => pack.entry({ name, mode: 0o644, mtime }, data, (err) => (err ? reject(err) : resolve())));
}

function addStream(pack: Pack, name: string, size: number, src: Readable, mtime: Date): Promise<void> {
  return new Promise((resolve, reject) => {
    const sink = pack.entry({ name, type: 'file', size, mode: 0o644, mtime }, (err) => (err ? reject(err) : resolve()));
    src.on('error', (err) => sink.destroy(err));
    src.pipe(sink as unknown as NodeJS.WritableStream);
  });
}
