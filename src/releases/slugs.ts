import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ExecError, SlipwayError, resolveInside, run } from '../lib/index.js';

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

/**
 * The unpacked directory of a slug, unpacking it from the slug file when it
 * was pruned (the slow path: a rollback to an old release). Unpacks to a temp
 * name then renames, so a half-unpacked tree is never used.
 */
export async function ensureUnpacked(home: string, app: string, slugId: string): Promise<string> {
  const dir = releaseDir(home, app, slugId);
  if (existsSync(dir)) return dir;
  const tmp = `${dir}.unpacking`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    await run(['tar', '--zstd', '-xf', slugFile(home, app, slugId), '-C', tmp], { timeoutMs: 10 * 60_000 });
    renameSync(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    const why = err instanceof ExecError ? err.stderrTail.trim().split('\n').slice(-2).join('; ') : (err as Error).message;
    throw new SlipwayError('E_DEPLOY_FAILED', `the slug of this release could not be unpacked (${why})`, {
      hint: 'the disk may be full or the slug file damaged; the running release is untouched. Deploy again (git push) to make a new slug',
      cause: err,
    });
  }
  return dir;
}

/** Keeps the unpacked directories of the newest `keep` slugs in use (and any in `inUse`); slug files stay for rollback. */
export function pruneUnpacked(home: string, app: string, slugsNewestFirst: string[], keep: number, inUse: Set<string>): string[] {
  const keepSet = new Set([...slugsNewestFirst.slice(0, keep), ...inUse]);
  const removed: string[] = [];
  for (const slug of new Set(slugsNewestFirst)) {
    if (keepSet.has(slug)) continue;
    const dir = releaseDir(home, app, slug);
    if (existsSync(dir)) {
      rmSync(dir, { recursive: true, force: true });
      removed.push(slug);
    }
  }
  return removed;
}
