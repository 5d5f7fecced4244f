import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { run } from '../lib/index.js';
import type { BlobStore } from './blob-store.js';
import { hexOf, type Digest } from './digest.js';

/**
 * Layers unpacked once under `root/HEX`, read by every instance and build
 * that uses them (bind-mounted read-only, never copied). A layer is unpacked
 * into a temp directory and renamed into place, so a crash leaves no
 * half-unpacked layer under its final name.
 */
export class UnpackedLayers {
  private readonly pending = new Map<Digest, Promise<string>>();

  constructor(
    private readonly store: BlobStore,
    readonly root: string,
  ) {
    mkdirSync(root, { recursive: true });
    for (const name of readdirSync(root)) if (name.startsWith('.tmp-')) rmSync(path.join(root, name), { recursive: true, force: true });
  }

  pathOf(digest: Digest): string {
    return path.join(this.root, hexOf(digest));
  }

  /** The directory of digest's unpacked content, unpacking it first if needed. */
  ensure(digest: Digest): Promise<string> {
    const dir = this.pathOf(digest);
    if (existsSync(dir)) return Promise.resolve(dir);
    let p = this.pending.get(digest);
    if (p === undefined) {
      p = this.unpack(digest, dir).finally(() => this.pending.delete(digest));
      this.pending.set(digest, p);
    }
    return p;
  }

  /** Removes unpacked layers not in keep. */
  prune(keep: ReadonlySet<Digest>): number {
    let n = 0;
    for (const name of readdirSync(this.root)) {
      if (!/^[0-9a-f]{64}$/.test(name) || keep.has(`sha256:${name}`)) continue;
      rmSync(path.join(this.root, name), { recursive: true, force: true });
      n++;
    }
    return n;
  }

  private async unpack(digest: Digest, dir: string): Promise<string> {
    const blob = this.store.pathOf(digest);
    this.store.stat(digest);
    const tmp = path.join(this.root, `.tmp-${process.pid}-${hexOf(digest).slice(0, 16)}`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { mode: 0o755 });
    try {
      // GNU tar refuses members with `..` and strips leading slashes; owners and modes are kept (we run as root).
      await run(['tar', '--extract', '--gzip', '--file', blob, '--directory', tmp, '--numeric-owner', '--preserve-permissions', '--no-overwrite-dir']);
      if (existsSync(dir)) rmSync(tmp, { recursive: true, force: true });
      else renameSync(tmp, dir);
      return dir;
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      throw err;
    }
  }
}
