import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, copyFileSync, utimesSync, type Stats } from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SlipwayError, writeFileAtomic } from '../lib/index.js';
import { digestOf, hexOf, type Digest } from './digest.js';

export interface BlobInfo {
  digest: Digest;
  size: number;
}

/**
 * Content-addressed blobs under `root/blobs/sha256/HEX`, written once and
 * never changed. Every write goes to `root/tmp/PID-RANDOM` and is renamed into
 * place only after its digest is known (and checked, when the caller expects
 * one), so a crash or a cut-off stream leaves at most a temp file, which the
 * next store opened on the same root removes once its writer is gone.
 */
export class BlobStore {
  readonly root: string;
  private readonly blobDir: string;
  private readonly tmpDir: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.blobDir = path.join(this.root, 'blobs', 'sha256');
    this.tmpDir = path.join(this.root, 'tmp');
    mkdirSync(this.blobDir, { recursive: true });
    mkdirSync(this.tmpDir, { recursive: true });
    this.removeOrphanedTemps();
  }

  pathOf(digest: Digest): string {
    return path.join(this.blobDir, hexOf(digest));
  }

  has(digest: Digest): boolean {
    return existsSync(this.pathOf(digest));
  }

  /** Size of a stored blob; throws E_BLOB_NOT_FOUND when it is absent. */
  stat(digest: Digest): BlobInfo {
    return { digest, size: this.statOrThrow(digest).size };
  }

  read(digest: Digest): Buffer {
    this.statOrThrow(digest);
    return readFileSync(this.pathOf(digest));
  }

  openRead(digest: Digest): Readable {
    this.statOrThrow(digest);
    return createReadStream(this.pathOf(digest));
  }

  putBytes(data: string | Buffer, expected?: Digest): BlobInfo {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    const digest = digestOf(buf);
    if (expected !== undefined && expected !== digest) throw mismatch(expected, digest);
    if (!this.has(digest)) writeFileAtomic(this.pathOf(digest), buf, 0o644);
    return { digest, size: buf.length };
  }

  /**
   * Streams src into the store. With `expected`, a stream whose content does
   * not hash to it (cut short, corrupted) is refused and nothing is kept.
   */
  async putStream(src: Readable | NodeJS.ReadableStream, expected?: Digest): Promise<BlobInfo> {
    const tmp = this.tempPath();
    const hash = createHash('sha256');
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    });
    try {
      await pipeline(src, tap, createWriteStream(tmp, { mode: 0o644, flush: true }));
      const digest: Digest = `sha256:${hash.digest('hex')}`;
      if (expected !== undefined && expected !== digest) throw mismatch(expected, digest);
      this.adoptTemp(tmp, digest);
      return { digest, size };
    } finally {
      rmSync(tmp, { force: true });
    }
  }

  /**
   * A fresh temp path inside the store (same filesystem, so a finished file can
   * be renamed in with `adoptTemp`). The caller removes it if it gives up.
   */
  tempPath(): string {
    return path.join(this.tmpDir, `${process.pid}-${randomBytes(8).toString('hex')}`);
  }

  /** Moves a finished temp file, whose digest the caller computed while writing it, into place. */
  adoptTemp(tmp: string, digest: Digest): void {
    if (this.has(digest)) {
      rmSync(tmp, { force: true });
      this.touch(digest);
      return;
    }
    renameSync(tmp, this.pathOf(digest));
  }

  /**
   * Makes a blob of another store present here: a hard link when both are on
   * one filesystem (no copy, no extra disk), a verified copy otherwise.
   */
  async adoptFrom(other: BlobStore, digest: Digest): Promise<void> {
    if (this.has(digest)) return;
    const src = other.pathOf(digest);
    other.statOrThrow(digest);
    const tmp = this.tempPath();
    try {
      linkSync(src, tmp);
      this.adoptTemp(tmp, digest);
    } catch (err) {
      rmSync(tmp, { force: true });
      if (!['EXDEV', 'EPERM', 'EMLINK'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
      copyFileSync(src, tmp);
      await this.putStream(createReadStream(tmp), digest).finally(() => rmSync(tmp, { force: true }));
    }
  }

  /** Every stored digest. */
  list(): Digest[] {
    return readdirSync(this.blobDir)
      .filter((n) => /^[0-9a-f]{64}$/.test(n))
      .map((n) => `sha256:${n}` as Digest);
  }

  /** Seconds-resolution age of a blob, for GC grace periods. */
  mtimeMs(digest: Digest): number {
    return this.statOrThrow(digest).mtimeMs;
  }

  delete(digest: Digest): void {
    rmSync(this.pathOf(digest), { force: true });
  }

  private touch(digest: Digest): void {
    const now = new Date();
    utimesSync(this.pathOf(digest), now, now);
  }

  private statOrThrow(digest: Digest): Stats {
    try {
      return statSync(this.pathOf(digest));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new SlipwayError('E_BLOB_NOT_FOUND', `blob ${digest} is not in the image store ${this.root}`, {
          hint: 'the image refers to a layer that was removed; rebuild or re-import it',
          cause: err,
        });
      }
      throw err;
    }
  }

  /** Temp files of writers that no longer run: left by a crash or a kill. */
  private removeOrphanedTemps(): void {
    for (const name of readdirSync(this.tmpDir)) {
      const pid = Number(name.split('-')[0]);
      if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) rmSync(path.join(this.tmpDir, name), { recursive: true, force: true });
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function mismatch(expected: Digest, got: Digest): SlipwayError {
  return new SlipwayError('E_IMAGE_INVALID', `content does not match its digest: expected ${expected}, got ${got}`, {
    hint: 'the data was cut short or corrupted on the way; nothing was stored, try again',
  });
}
