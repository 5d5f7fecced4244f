import { SlipwayError } from '../lib/index.js';

interface Waiting {
  start: () => void;
  reject: (err: Error) => void;
}

/**
 * One build per app at a time. A push that arrives while a build runs waits;
 * a newer push replaces a waiting one, whose caller gets E_BUILD_SUPERSEDED
 * at once instead of hanging.
 */
export class BuildQueue {
  private readonly running = new Set<string>();
  private readonly waiting = new Map<string, Waiting>();

  /** Resolves when it is this caller's turn; `onWait` is told when it has to wait. */
  async acquire(app: string, onWait: () => void): Promise<() => void> {
    if (this.running.has(app)) {
      onWait();
      await new Promise<void>((resolve, reject) => {
        this.waiting.get(app)?.reject(new SlipwayError('E_BUILD_SUPERSEDED', 'a newer push replaced this one while it waited', { hint: 'the newer push is being built' }));
        this.waiting.set(app, { start: resolve, reject });
      });
    }
    this.running.add(app);
    return () => this.release(app);
  }

  isBusy(app: string): boolean {
    return this.running.has(app);
  }

  /** Hands the slot straight to the waiting build, so no third caller can slip in between. */
  private release(app: string): void {
    const next = this.waiting.get(app);
    if (!next) {
      this.running.delete(app);
      return;
    }
    this.waiting.delete(app);
    next.start();
  }
}
