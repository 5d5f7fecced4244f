import { closeSync, rmSync } from 'node:fs';
import path from 'node:path';
import { resolveInside, SlipwayError } from '../lib/index.js';
import { AppWriter, CURRENT_FILE, PREVIOUS_FILE } from './app-writer.js';
import { cleanLines, encodeEntry, matchesFilter, type LogEntry, type LogFilter } from './entry.js';
import { lastMatching, openFiles, type OpenFile } from './read-back.js';

export const DEFAULT_MAX_BYTES_PER_APP = 50 * 1024 * 1024;

/** A crash loses at most this much of the newest output; in exchange a busy app costs one write per 50 ms, not one per line. */
const FLUSH_EVERY_MS = 50;

export interface LogStoreOptions {
  /** What an app's stream may occupy on disk, both files together (default 50 MiB). */
  maxBytesPerApp?: number;
  /** An app not written to for this long gives its fd back (default 5 min). */
  idleCloseMs?: number;
  /** At most this many apps hold an fd (default 256); opening one more closes the least recently written. */
  maxOpenApps?: number;
  /**
   * Where failures go that must not reach the line's producer: a full disk, a
   * follower that throws (it is unsubscribed). Default: a process warning.
   */
  onError?: (err: Error, app: string) => void;
}

export type AppendInput = Omit<LogEntry, 'time'> & { time?: string };

interface Follower {
  filter: LogFilter | undefined;
  onEntry: (e: LogEntry) => void;
}

/**
 * Every app's merged log stream, kept on disk under root/APP/ as NDJSON in
 * two size-capped files, so it survives redeploys, crashes and daemon restarts.
 * One instance per logs root (the daemon's); two on the same root would race.
 */
export class LogStore {
  private readonly fileCap: number;
  private readonly idleCloseMs: number;
  private readonly maxOpenApps: number;
  private readonly onError: (err: Error, app: string) => void;
  private readonly writers = new Map<string, AppWriter>();
  private readonly dirty = new Set<string>();
  private readonly followers = new Map<string, Set<Follower>>();
  private flushTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly root: string,
    opts: LogStoreOptions = {},
  ) {
    const max = opts.maxBytesPerApp ?? DEFAULT_MAX_BYTES_PER_APP;
    if (!Number.isSafeInteger(max) || max < 1024) throw new RangeError(`maxBytesPerApp must be an integer ≥ 1024, got ${max}`);
    this.fileCap = Math.floor(max / 2);
    this.idleCloseMs = opts.idleCloseMs ?? 5 * 60_000;
    this.maxOpenApps = Math.max(1, opts.maxOpenApps ?? 256);
    this.onError = opts.onError ?? ((err, app) => process.emitWarning(`logs of ${app}: ${err.message}`, { code: 'SLIPWAY_LOGS' }));
  }

  /**
   * Adds a line (or several, if it holds newlines) to the app's stream and
   * hands it to followers. Never throws for I/O: the producer is an app's
   * stdout or the router, which must not fail because logging did.
   */
  append(app: string, input: AppendInput): void {
    const time = input.time ?? new Date().toISOString();
    const entries = cleanLines(input.line).map((line) => toEntry(input, time, line));
    try {
      const w = this.writerFor(app);
      for (const e of entries) w.add(encodeEntry(e));
      if (w.hasBuffered) this.markDirty(app);
    } catch (err) {
      this.fail(app, err);
    }
    for (const e of entries) this.notify(app, e);
  }

  /** The last `lines` entries matching the filter, oldest first, read from the end of the files. */
  async read(app: string, opts: { lines: number; filter?: LogFilter }): Promise<LogEntry[]> {
    if (!Number.isSafeInteger(opts.lines) || opts.lines < 0) throw new RangeError(`lines must be an integer ≥ 0, got ${opts.lines}`);
    // Taken before the first await: tail() relies on read() fixing its cut synchronously.
    const files = this.openSnapshot(app);
    try {
      return await lastMatching(files, opts.lines, opts.filter);
    } finally {
      for (const f of files) closeSync(f.fd);
    }
  }

  /** Entries appended from now on that match the filter. Returns unsubscribe. */
  follow(app: string, filter: LogFilter | undefined, onEntry: (e: LogEntry) => void): () => void {
    let set = this.followers.get(app);
    if (set === undefined) this.followers.set(app, (set = new Set()));
    const follower: Follower = { filter, onEntry };
    set.add(follower);
    const mine = set;
    return () => {
      mine.delete(follower);
      if (mine.size === 0 && this.followers.get(app) === mine) this.followers.delete(app);
    };
  }

  /**
   * `logs --tail`: the last `lines` matching entries, then live ones, with no
   * gap and no duplicate. Subscribing and read()'s snapshot (flush, open both
   * files, note their sizes) happen in one synchronous step, so every entry is
   * either inside the snapshot or arrives live, never both. Live entries that
   * arrive while history is read are held and delivered after it. Resolves
   * once history is delivered, with unsubscribe.
   */
  async tail(app: string, opts: { lines: number; filter?: LogFilter }, onEntry: (e: LogEntry) => void): Promise<() => void> {
    const held: LogEntry[] = [];
    let live = false;
    const unsubscribe = this.follow(app, opts.filter, (e) => (live ? onEntry(e) : held.push(e)));
    try {
      for (const e of await this.read(app, opts)) onEntry(e);
      for (const e of held) onEntry(e); // for..of also visits entries an onEntry call appends
    } catch (err) {
      unsubscribe();
      throw err;
    }
    live = true;
    return unsubscribe;
  }

  /** Deletes everything the app has under the logs root (stream and build logs); its followers are dropped. */
  removeApp(app: string): void {
    const dir = this.appDir(app);
    const w = this.writers.get(app);
    this.writers.delete(app);
    this.dirty.delete(app);
    this.followers.delete(app);
    w?.discard();
    rmSync(dir, { recursive: true, force: true });
  }

  /** Writes everything buffered and releases every fd. The store stays usable: a later append reopens, so lines logged during shutdown are not lost. */
  async close(): Promise<void> {
    this.flushAll();
    for (const app of [...this.writers.keys()]) this.closeWriter(app);
  }

  private writerFor(app: string): AppWriter {
    const existing = this.writers.get(app);
    if (existing !== undefined) return existing;
    if (this.writers.size >= this.maxOpenApps) this.closeWriter(this.leastRecentlyWritten());
    const w = new AppWriter(this.appDir(app), this.fileCap);
    this.writers.set(app, w);
    this.startSweep();
    return w;
  }

  private markDirty(app: string): void {
    this.dirty.add(app);
    this.flushTimer ??= setTimeout(() => this.flushAll(), FLUSH_EVERY_MS);
  }

  private flushAll(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (const app of this.dirty) this.flushApp(app);
  }

  private flushApp(app: string): void {
    this.dirty.delete(app);
    try {
      this.writers.get(app)?.flush();
    } catch (err) {
      this.fail(app, err);
    }
  }

  /** Synchronously: flush the app's buffer, open both files and note their sizes; later appends fall outside. */
  private openSnapshot(app: string): OpenFile[] {
    this.flushApp(app);
    return openFiles([CURRENT_FILE, PREVIOUS_FILE].map((name) => path.join(this.appDir(app), name)));
  }

  private closeWriter(app: string): void {
    const w = this.writers.get(app);
    this.writers.delete(app);
    this.dirty.delete(app);
    if (this.writers.size === 0) this.stopSweep();
    try {
      w?.close();
    } catch (err) {
      this.fail(app, err);
    }
  }

  /** Called only when at the fd cap, so the linear scan is rare and bounded by the cap. */
  private leastRecentlyWritten(): string {
    let oldest = '';
    let oldestAt = Infinity;
    for (const [app, w] of this.writers) {
      if (w.lastFlushAt < oldestAt) [oldest, oldestAt] = [app, w.lastFlushAt];
    }
    return oldest;
  }

  /** Idle apps give their fd back, so thousands of quiet apps cost nothing; unref'd so it never keeps the process alive. */
  private startSweep(): void {
    if (this.sweepTimer !== undefined) return;
    this.sweepTimer = setInterval(() => this.sweep(), Math.min(60_000, this.idleCloseMs));
    this.sweepTimer.unref();
  }

  private stopSweep(): void {
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  private sweep(): void {
    const cutoff = Date.now() - this.idleCloseMs;
    for (const [app, w] of [...this.writers]) if (w.lastFlushAt <= cutoff && !w.hasBuffered) this.closeWriter(app);
  }

  private notify(app: string, e: LogEntry): void {
    const set = this.followers.get(app);
    if (set === undefined) return;
    for (const f of [...set]) {
      if (!matchesFilter(e, f.filter)) continue;
      try {
        f.onEntry(e);
      } catch (err) {
        set.delete(f); // a broken follower must not break the stream for the others
        this.onError(asError(err), app);
      }
    }
  }

  /** A writer that failed is dropped (its fd closed) so the next append starts over with a fresh one. */
  private fail(app: string, err: unknown): void {
    const w = this.writers.get(app);
    this.writers.delete(app);
    this.dirty.delete(app);
    try {
      w?.discard();
    } catch (closeErr) {
      this.onError(asError(closeErr), app);
    }
    this.onError(asError(err), app);
  }

  /** The app's directory, which must be a direct child of root: `..`, `a/b` or '' would reach other apps or the root itself. */
  private appDir(app: string): string {
    const dir = resolveInside(this.root, app);
    if (path.dirname(dir) !== path.resolve(this.root)) throw new SlipwayError('E_APP_NAME_INVALID', 'app name must be a single path segment');
    return dir;
  }
}

function toEntry(input: AppendInput, time: string, line: string): LogEntry {
  const e: LogEntry = { time, source: input.source, line };
  if (input.ps !== undefined) e.ps = input.ps;
  if (input.release !== undefined) e.release = input.release;
  return Object.freeze(e); // one object goes to every follower
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
