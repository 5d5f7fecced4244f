import { closeSync, fstatSync, mkdirSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';

/** The file being appended to, and the one before it (replaced at each rotation). */
export const CURRENT_FILE = 'stream.log';
export const PREVIOUS_FILE = 'stream.log.1';

/** Above this many buffered bytes the buffer is written at once, so a burst never holds much memory. */
const FLUSH_AT_BYTES = 64 * 1024;

/**
 * The open end of one app's stream: a kept-open append fd and a small buffer
 * of encoded lines. It exists only while the app is being written to (the
 * store closes idle ones), so a quiet app costs no fd and no memory.
 * All I/O is synchronous: writes are ≤ 64 KiB to a local file, and being
 * synchronous keeps rotation, flush-before-read and close free of races.
 */
export class AppWriter {
  /** When lines last reached the file; the store closes the least recent or idle writers. */
  lastFlushAt = Date.now();
  private fd: number;
  private chunks: string[] = [];
  private buffered = 0;
  private fileBytes: number;

  constructor(
    private readonly dir: string,
    /** Half the app's cap: two files of this size are all an app ever holds. */
    private readonly fileCap: number,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o750 });
    this.fd = openSync(this.file(CURRENT_FILE), 'a+', 0o640);
    this.fileBytes = fstatSync(this.fd).size;
    // A crash can leave the file ending mid-line. Start on a new line so the
    // torn piece stays a line of its own (readers skip it) and ours stays whole.
    if (this.fileBytes > 0 && !endsWithNewline(this.fd, this.fileBytes)) this.push('\n', 1);
  }

  get hasBuffered(): boolean {
    return this.buffered > 0;
  }

  /** Queues one encoded line (ending in \n), rotating first if it would push the file past its half of the cap. */
  add(line: string): void {
    const bytes = Buffer.byteLength(line);
    const used = this.fileBytes + this.buffered;
    if (used > 0 && used + bytes > this.fileCap) this.rotate();
    this.push(line, bytes);
    if (this.buffered >= FLUSH_AT_BYTES) this.flush();
  }

  flush(): void {
    if (this.buffered === 0) return;
    const data = Buffer.from(this.chunks.join(''), 'utf8');
    // Cleared before writing: if the disk is full, retrying the same bytes
    // every 50 ms would only grow memory; those lines are lost and reported.
    this.chunks = [];
    this.buffered = 0;
    writeAll(this.fd, data);
    this.fileBytes += data.length;
    this.lastFlushAt = Date.now();
  }

  /** Flushes and releases the fd. */
  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
  }

  /** Releases the fd without writing what is buffered (the app is being destroyed). */
  discard(): void {
    this.chunks = [];
    this.buffered = 0;
    closeSync(this.fd);
  }

  /**
   * current → .1 (replacing the older half) and a fresh current. Renamed while
   * still open so a failure leaves everything as it was; readers holding the
   * old .1 open keep reading it, as POSIX keeps an open unlinked file alive.
   */
  private rotate(): void {
    this.flush();
    renameSync(this.file(CURRENT_FILE), this.file(PREVIOUS_FILE));
    const fresh = openSync(this.file(CURRENT_FILE), 'a+', 0o640);
    closeSync(this.fd);
    this.fd = fresh;
    this.fileBytes = 0;
  }

  private push(line: string, bytes: number): void {
    this.chunks.push(line);
    this.buffered += bytes;
  }

  private file(name: string): string {
    return path.join(this.dir, name);
  }
}

function endsWithNewline(fd: number, size: number): boolean {
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  return last[0] === 0x0a;
}

function writeAll(fd: number, data: Buffer): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off);
}
