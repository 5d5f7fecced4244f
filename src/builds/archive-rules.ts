import path from 'node:path';
import type { Header } from 'tar-stream';
import { SlipwayError } from '../lib/index.js';

/** Caps on an uploaded source archive, counted on the uncompressed tar. */
export interface ArchiveLimits {
  /** Sum of all entry sizes. */
  maxBytes: number;
  maxEntries: number;
  /** Size of any one entry. */
  maxFileBytes: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_ARCHIVE_LIMITS: Readonly<ArchiveLimits> = Object.freeze({
  maxBytes: 512 * MiB,
  maxEntries: 100_000,
  maxFileBytes: 256 * MiB,
});

export interface ArchiveSummary {
  entries: number;
  bytes: number;
}

export type EntryKind = 'file' | 'directory' | 'symlink' | 'link';

/**
 * One entry that passed the rules. `path` is normalised and relative ('' is the
 * app directory itself, as in `./`); for a hard link `linkname` is the
 * normalised path of the earlier file, for a symlink the target as stored.
 */
export interface CheckedEntry {
  path: string;
  kind: EntryKind;
  linkname: string | undefined;
  size: number;
  mode: number;
}

// Linux gives up after 40 nested symlinks; a tar that needs more is either a
// loop or built to make the check expensive.
const MAX_SYMLINK_HOPS = 40;
// PATH_MAX and NAME_MAX: anything longer could not be created anyway, so
// refusing it here keeps "the check passed" meaning "extraction can succeed".
const MAX_PATH_BYTES = 4095;
const MAX_NAME_BYTES = 255;

const HINT = 'an app archive may hold only files, directories and links that stay inside the app directory; ' +
  'remove or fix the entry named here, or list it in .gitignore';

export function archiveInvalid(name: string, why: string): SlipwayError {
  return new SlipwayError('E_ARCHIVE_INVALID', `archive entry ${q(name)}: ${why}`, { hint: HINT });
}

/** Quotes a name for a message: escaped (control bytes, NUL) and cut short (a pax path can be megabytes). */
function q(s: string): string {
  return JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}...` : s);
}

function tooLarge(what: string): SlipwayError {
  return new SlipwayError('E_ARCHIVE_TOO_LARGE', `archive is too large: ${what}`, {
    hint: 'leave build output and dependencies out of the upload (.gitignore is respected), or raise the limit',
  });
}

/**
 * Normalises a path inside the archive; throws unless it names something
 * inside the app directory. `entry` is the entry to blame in the message.
 */
export function normaliseEntryPath(value: string, what = 'path', entry = value): string {
  if (value === '') throw archiveInvalid(entry, `empty ${what}`);
  checkLength(entry, value, what);
  if (value.includes('\0')) throw archiveInvalid(entry, `${what} contains a NUL byte`);
  if (value.startsWith('/')) throw archiveInvalid(entry, `${what} is absolute`);
  const p = path.posix.normalize(value).replace(/\/+$/, '');
  if (p === '..' || p.startsWith('../')) throw archiveInvalid(entry, `${what} leaves the app directory`);
  return p === '.' ? '' : p;
}

function checkLength(entry: string, value: string, what: string): void {
  if (Buffer.byteLength(value) > MAX_PATH_BYTES) throw archiveInvalid(entry, `${what} is longer than ${MAX_PATH_BYTES} bytes`);
  if (value.split('/').some((part) => Buffer.byteLength(part) > MAX_NAME_BYTES)) {
    throw archiveInvalid(entry, `${what} has a component longer than ${MAX_NAME_BYTES} bytes`);
  }
}

function kindOf(header: Header): EntryKind {
  switch (header.type) {
    case 'file':
    case 'directory':
    case 'symlink':
    case 'link':
      return header.type;
    default:
      // Devices and fifos have no place in source code, and what tar-stream
      // cannot name (null: GNU sparse, volume labels; its declared type union
      // is narrower than what it returns) we cannot vouch for.
      throw archiveInvalid(header.name, `entries of type ${String(header.type ?? 'unknown')} are not allowed`);
  }
}

/**
 * Applies the archive rules entry by entry (add) and across the whole archive
 * (finish). Stateful because the dangerous cases are combinations: a symlink
 * and a later file written through it, or a hard link to something earlier.
 */
export class ArchiveChecker {
  /** Every path seen, including directories implied by deeper entries. */
  private readonly kinds = new Map<string, EntryKind>();
  private readonly symlinks = new Map<string, string>();
  private readonly resolved = new Map<string, string[]>();
  private entries = 0;
  private bytes = 0;

  constructor(private readonly limits: ArchiveLimits) {}

  add(header: Header): CheckedEntry {
    if (++this.entries > this.limits.maxEntries) throw tooLarge(`more than ${this.limits.maxEntries} entries (maxEntries)`);
    const kind = kindOf(header);
    const p = normaliseEntryPath(header.name);
    if (p === '' && kind !== 'directory') throw archiveInvalid(header.name, 'names the app directory itself');
    this.countSize(header, kind);
    if (p !== '') this.claimPath(header.name, p, kind);
    const linkname = this.checkLink(header, p, kind);
    if (kind === 'symlink' && linkname !== undefined) this.symlinks.set(p, linkname);
    return { path: p, kind, linkname, size: header.size ?? 0, mode: header.mode ?? 0o644 };
  }

  /** Runs the checks that need the whole archive; call after the last add. */
  finish(): ArchiveSummary {
    for (const link of this.symlinks.keys()) this.resolveLink(link, 0);
    return { entries: this.entries, bytes: this.bytes };
  }

  private countSize(header: Header, kind: EntryKind): void {
    const size = header.size ?? 0;
    if (kind === 'file' && size > this.limits.maxFileBytes) {
      throw tooLarge(`entry ${q(header.name)} is ${size} bytes, over the ${this.limits.maxFileBytes}-byte per-file limit (maxFileBytes)`);
    }
    this.bytes += size;
    if (this.bytes > this.limits.maxBytes) throw tooLarge(`more than ${this.limits.maxBytes} bytes uncompressed (maxBytes)`);
  }

  /**
   * Records p and its parents. Refuses a path under anything but a directory
   * (so `a` → symlink then `a/b` cannot write through the link, in either
   * order) and any repeat except directory-over-directory, so extraction never
   * has to replace what an earlier entry made.
   */
  private claimPath(name: string, p: string, kind: EntryKind): void {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      const seen = this.kinds.get(parent);
      if (seen !== undefined && seen !== 'directory') {
        throw archiveInvalid(name, `parent ${q(parent)} is a ${seen === 'link' ? 'hard link' : seen}, not a directory`);
      }
      this.kinds.set(parent, 'directory');
    }
    const seen = this.kinds.get(p);
    if (seen !== undefined && !(seen === 'directory' && kind === 'directory')) {
      throw archiveInvalid(name, 'path appears more than once in the archive');
    }
    this.kinds.set(p, kind);
  }

  private checkLink(header: Header, p: string, kind: EntryKind): string | undefined {
    if (kind !== 'symlink' && kind !== 'link') return undefined;
    const target = header.linkname ?? '';
    if (kind === 'link') {
      // Hard link names are archive paths, relative to the archive root.
      const to = normaliseEntryPath(target, `hard link target ${q(target)}`, header.name);
      if (to === '' || this.kinds.get(to) !== 'file' || to === p) {
        throw archiveInvalid(header.name, `hard link target ${q(target)} is not an earlier regular file`);
      }
      return to;
    }
    if (target === '') throw archiveInvalid(header.name, 'symlink has no target');
    checkLength(header.name, target, 'symlink target');
    if (target.includes('\0')) throw archiveInvalid(header.name, 'symlink target contains a NUL byte');
    if (target.startsWith('/')) throw archiveInvalid(header.name, `symlink target ${q(target)} is absolute`);
    const lexical = path.posix.normalize(path.posix.join(path.posix.dirname(p), target));
    if (lexical === '..' || lexical.startsWith('../')) {
      throw archiveInvalid(header.name, `symlink target ${q(target)} leaves the app directory`);
    }
    return target;
  }

  /**
   * Where a symlink of this archive ends up once every symlink on the way is
   * followed, as path parts from the root; throws if that leaves the tree.
   * The lexical check in checkLink misses `s/a -> ..` plus `s/b -> a/..`,
   * which escapes only once `a` is followed. Results are memoised so a
   * crafted web of links costs linear work, not exponential.
   */
  private resolveLink(link: string, depth: number): string[] {
    const done = this.resolved.get(link);
    if (done !== undefined) return done;
    if (depth > MAX_SYMLINK_HOPS) throw archiveInvalid(link, 'symlinks nest too deeply or form a loop');
    const target = this.symlinks.get(link) ?? '';
    let stack = dirParts(link);
    for (const part of target.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (stack.length === 0) throw archiveInvalid(link, `symlink target ${q(target)} leaves the app directory`);
        stack.pop();
        continue;
      }
      stack.push(part);
      const here = stack.join('/');
      if (this.symlinks.has(here)) stack = [...this.resolveLink(here, depth + 1)];
    }
    this.resolved.set(link, stack);
    return stack;
  }
}

function dirParts(p: string): string[] {
  const parts = p.split('/');
  parts.pop();
  return parts;
}

/** The mode an extracted file gets: only the owner-executable bit survives. */
export function fileMode(mode: number): number {
  return mode & 0o100 ? 0o755 : 0o644;
}
