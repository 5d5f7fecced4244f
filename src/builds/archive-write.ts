import { constants } from 'node:fs';
import { link, lstat, mkdir, open, readdir, realpath, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { SlipwayError } from '../lib/index.js';
import type { EntryBody } from './archive-read.js';
import { archiveInvalid, fileMode, type CheckedEntry } from './archive-rules.js';

// O_NOFOLLOW + O_EXCL: never open through, or over, something already there.
const CREATE_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Resolves dest to its real path and insists it is an empty directory we can fill. */
export async function prepareDest(dest: string): Promise<string> {
  const root = await realpath(dest);
  const names = await readdir(root);
  if (names.length > 0) {
    throw new SlipwayError('E_INTERNAL', `extract destination ${dest} is not empty`, {
      hint: 'extract into a fresh directory',
    });
  }
  return root;
}

/** Undo for a failed extraction: dest was empty before, so everything in it is ours. */
export async function emptyDir(root: string): Promise<void> {
  for (const name of await readdir(root)) {
    // rm does not follow symlinks, so a planted link cannot aim the delete elsewhere.
    await rm(path.join(root, name), { recursive: true, force: true });
  }
}

/** Writes one checked entry under root; body is consumed in every case. */
export async function writeEntry(root: string, entry: CheckedEntry, body: EntryBody): Promise<void> {
  if (entry.kind !== 'file') body.resume();
  if (entry.path === '') return;
  const target = await placeInside(root, entry.path);
  switch (entry.kind) {
    case 'directory':
      return ensureDir(target, entry.path);
    case 'file':
      return writeFile(target, fileMode(entry.mode), body);
    case 'symlink':
      return symlink(entry.linkname ?? '', target);
    case 'link':
      return link(await placeInside(root, entry.linkname ?? ''), target);
  }
}

/**
 * Creates the parents of rel under root and returns the absolute target.
 * The rules already refuse paths through symlinks; this re-checks on the real
 * filesystem (defence in depth) so a rules bug cannot become a write outside.
 */
async function placeInside(root: string, rel: string): Promise<string> {
  const parts = rel.split('/');
  let dir = root;
  for (const part of parts.slice(0, -1)) {
    dir = path.join(dir, part);
    await ensureDir(dir, rel);
  }
  const real = await realpath(dir);
  if (real !== root && !real.startsWith(root + path.sep)) throw archiveInvalid(rel, 'path leaves the app directory');
  return path.join(real, parts[parts.length - 1] ?? '');
}

async function ensureDir(dir: string, rel: string): Promise<void> {
  try {
    await mkdir(dir, { mode: 0o755 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // lstat, not stat: an existing symlink to a directory is exactly the trap.
    const st = await lstat(dir);
    if (!st.isDirectory()) throw archiveInvalid(rel, 'path goes through something that is not a directory');
  }
}

/** Streams one body to a new file chunk by chunk, so a 256 MiB file never sits in memory. */
async function writeFile(target: string, mode: number, body: EntryBody): Promise<void> {
  const fh = await open(target, CREATE_FILE, mode);
  try {
    // open's mode is filtered by the umask; the result must not depend on it.
    await fh.chmod(mode);
    for await (const chunk of body) {
      const buf = chunk as Buffer;
      let off = 0;
      while (off < buf.length) off += (await fh.write(buf, off)).bytesWritten;
    }
  } finally {
    await fh.close();
  }
}
