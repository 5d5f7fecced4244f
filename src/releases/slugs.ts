import { mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { resolveInside, run } from '../lib/index.js';

export function slugFile(home: string, app: string, slugId: string): string {
  return resolveInside(home, 'slugs', app, `${slugId}.tar.zst`);
}

export function releaseDir(home: string, app: string, slugId: string): string {
  return resolveInside(home, 'releases', app, slugId);
}

/**
 * Packs the built tree into slugs/APP/ID.tar.zst (zstd: about half the time
 * of gzip on this machine) under a temp name, then renames it into place.
 */
export async function packSlug(home: string, app: string, slugId: string, builtDir: string): Promise<{ file: string }> {
  const file = slugFile(home, app, slugId);
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  try {
    await run(['tar', '--zstd', '-cf', tmp, '-C', builtDir, '.'], { timeoutMs: 10 * 60_000 });
    await run(['sync', '-f', tmp]);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return { file };
}

/**
 * The built tree becomes the release's unpacked directory by a rename (no
 * copy, no unpack on the hot path). Releases that share a slug share it.
 */
export function installReleaseDir(home: string, app: string, slugId: string, builtDir: string): string {
  const dir = releaseDir(home, app, slugId);
  mkdirSync(path.dirname(dir), { recursive: true });
  rmSync(dir, { recursive: true, force: true });
  renameSync(builtDir, dir);
  return dir;
}
