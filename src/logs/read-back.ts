import { closeSync, fstatSync, openSync, read } from 'node:fs';
import { promisify } from 'node:util';
import { decodeEntry, matchesFilter, type LogEntry, type LogFilter } from './entry.js';

const readAt = promisify(read);

const CHUNK = 64 * 1024;

/** An open file and the size it had when opened: reading stops there, so later appends are not seen twice. */
export interface OpenFile {
  fd: number;
  size: number;
}

/** Opens those of the files that exist, in order, all or none. */
export function openFiles(files: readonly string[]): OpenFile[] {
  const opened: OpenFile[] = [];
  try {
    for (const file of files) {
      const f = openIfExists(file);
      if (f !== undefined) opened.push(f);
    }
  } catch (err) {
    for (const f of opened) closeSync(f.fd);
    throw err;
  }
  return opened;
}

/** The last n entries matching the filter, oldest first; files newest first, going on into older ones until n are found. */
export async function lastMatching(files: readonly OpenFile[], n: number, filter: LogFilter | undefined): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for (const f of files) {
    if (out.length >= n) break;
    for await (const raw of linesBackward(f.fd, f.size)) {
      const e = decodeEntry(raw); // undefined for a torn line: skipped
      if (e === undefined || !matchesFilter(e, filter)) continue;
      out.push(e);
      if (out.length >= n) break;
    }
  }
  return out.reverse();
}

function openIfExists(file: string): OpenFile | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return { fd, size: fstatSync(fd).size };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/**
 * Lines of the first `size` bytes of an open file, last line first, read in
 * 64 KiB chunks from the end: showing the last 100 lines of a 25 MiB file reads
 * one or two chunks, not the file. Works on bytes and splits on \n, which never
 * occurs inside a multi-byte UTF-8 character, so decoding per line is safe.
 * A final piece without \n (torn by a crash) is yielded too; the caller's
 * parser decides whether it is whole.
 */
export async function* linesBackward(fd: number, size: number, chunkSize = CHUNK): AsyncGenerator<string> {
  let pos = size;
  let carry: Buffer = Buffer.alloc(0);
  while (pos > 0) {
    const len = Math.min(chunkSize, pos);
    pos -= len;
    const chunk = await readExactly(fd, len, pos);
    // A line longer than a chunk is carried over until its start is found.
    const data = carry.length > 0 ? Buffer.concat([chunk, carry]) : chunk;
    let end = data.length;
    // end > 0 matters: lastIndexOf with offset -1 would search from the end again.
    while (end > 0) {
      const nl = data.lastIndexOf(0x0a, end - 1);
      if (nl === -1) break;
      if (end > nl + 1) yield data.toString('utf8', nl + 1, end);
      end = nl;
    }
    carry = data.subarray(0, end);
  }
  if (carry.length > 0) yield carry.toString('utf8');
}

async function readExactly(fd: number, len: number, position: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(len);
  let got = 0;
  while (got < len) {
    const { bytesRead } = await readAt(fd, buf, got, len - got, position + got);
    // The size was taken from this fd; a shorter file means someone truncated it under us.
    if (bytesRead === 0) throw new Error(`log file shrank while being read (wanted ${len} bytes at ${position})`);
    got += bytesRead;
  }
  return buf;
}
