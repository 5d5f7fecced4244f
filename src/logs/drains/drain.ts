import type { LogEntry } from '../entry.js';
import { syslogMessage } from './format.js';
import { Ring } from './ring.js';
import type { DrainTarget, Transport } from './transport.js';

export interface DrainStats {
  connected: boolean;
  queued: number;
  sent: number;
  dropped: number;
  lastError: string | undefined;
}

export interface DrainOptions {
  /** Lines held while the receiver is slow or down; past it the oldest are dropped and counted. */
  bufferLines: number;
  /** Lines per send (one HTTPS POST, or one TCP write). */
  batch: number;
  /** Retry delays grow from this to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * One drain: a bounded ring filled by `push` (O(1), never throws, never
 * waits: the app and the daemon are not slowed by a slow receiver) and one
 * sender loop that delivers batches in order, retrying with backoff. Lines
 * lost to overflow are counted and reported to the receiver itself as
 * Heroku's L10 notice once it takes lines again.
 */
export class Drain {
  private readonly ring: Ring<string>;
  private sent = 0;
  private lastError: string | undefined;
  private wake: (() => void) | undefined;
  private stopped = false;
  private readonly loop: Promise<void>;
  private droppedFrom: string | undefined;

  constructor(
    readonly target: DrainTarget,
    private readonly transport: Transport,
    private readonly opts: DrainOptions,
  ) {
    this.ring = new Ring(opts.bufferLines);
    this.loop = this.run();
  }

  push(e: LogEntry): void {
    if (this.ring.size === this.ring.capacity && this.droppedFrom === undefined) this.droppedFrom = e.time;
    this.ring.push(syslogMessage(e, this.target.token));
    this.wake?.();
  }

  stats(): DrainStats {
    return { connected: this.transport.connected, queued: this.ring.size, sent: this.sent, dropped: this.ring.dropped, lastError: this.lastError };
  }

  /** Stops the loop (what is queued is not sent) and closes the connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    this.transport.close();
  }

  private async run(): Promise<void> {
    let backoff = this.opts.minBackoffMs ?? 100;
    while (!this.stopped) {
      if (this.ring.size === 0) {
        await new Promise<void>((r) => (this.wake = r));
        this.wake = undefined;
        continue;
      }
      const droppedBefore = this.ring.dropped;
      const batch = this.ring.peek(this.opts.batch);
      const lost = this.ring.takeDropped();
      const notice = lost > 0 ? [this.overflowNotice(lost)] : [];
      try {
        await this.transport.send([...notice, ...batch]);
        this.ring.remove(batch.length, droppedBefore);
        this.sent += batch.length;
        this.lastError = undefined;
        if (lost > 0) this.droppedFrom = undefined;
        backoff = this.opts.minBackoffMs ?? 100;
      } catch (err) {
        // the notice is made again (with the new total) on the next try
        if (lost > 0) this.ring.untakeDropped(lost);
        this.lastError = err instanceof Error ? err.message : String(err);
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, this.opts.maxBackoffMs ?? 5000);
      }
    }
  }

  private overflowNotice(n: number): string {
    const since = this.droppedFrom ?? new Date().toISOString();
    return syslogMessage({ time: new Date().toISOString(), source: 'platform', line: `Error L10 (output buffer overflow): ${n} messages dropped since ${since}.` }, this.target.token);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        if (this.stopped) {
          clearTimeout(timer);
          resolve();
        }
      };
    });
  }
}
