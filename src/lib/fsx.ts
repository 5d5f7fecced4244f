import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, writeSync, unlinkSync, constants } from 'node:fs';
import path from 'node:path';

/**
 * Writes a file crash-safely: temp name in the same directory, fsync, rename.
 * `durable: false` skips the fsyncs: readers still never see half a file,
 * but a power cut may lose it (for files rebuilt from state at every start).
 */
export function writeFileAtomic(file: string, data: string | Buffer, mode = 0o644, opts: { durable?: boolean } = {}): void {
  const durable = opts.durable ?? true;
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    if (durable) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, file);
  } catch (err) {
    unlinkSync(tmp);
    throw err;
  }
  if (durable) fsyncDir(path.dirname(file));
}

/** Creates a file that must not exist yet (O_EXCL); used for write-once secrets. */
export function writeFileExclusive(file: string, data: string, mode: number): void {
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    writeSync(fd, Buffer.from(data));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  fsyncDir(path.dirname(file));
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Joins segments under root and throws if the result escapes root. */
export function resolveInside(root: string, ...segments: string[]): string {
  const base = path.resolve(root);
  const p = path.resolve(base, ...segments);
  if (p !== base && !p.startsWith(base + path.sep)) {
    throw new Error(`path ${JSON.stringify(segments.join('/'))} leaves ${base}`);
  }
  return p;
}
