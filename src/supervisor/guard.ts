/**
 * The post-release guard: for a window after a deploy switches traffic, if
 * the new release crash-loops or its share of 5xx answers jumps while the
 * previous release was healthy, roll back to the previous release by itself.
 */

/** Requests and 5xx answers of an app in a time window (the router's RequestRates). */
export interface RequestWindow {
  window(app: string, fromMs: number, toMs?: number): { total: number; errors: number };
}

export interface GuardSettings {
  windowMs: number;
  crashes: number;
  /** 0..1 */
  errorShare: number;
}

export interface GuardDeps {
  rates: RequestWindow;
  /** Restarts of the app's instances of a release so far. */
  restarts(app: string, version: number): number;
  current(app: string): number | undefined;
  rollback(app: string, to: number, reason: string): Promise<void>;
  log(app: string, line: string): void;
}

const MIN_REQUESTS = 20;

export class ReleaseGuard {
  private readonly watching = new Map<string, NodeJS.Timeout>();

  constructor(private readonly deps: GuardDeps) {}

  watch(app: string, fresh: number, previous: number, s: GuardSettings): void {
    this.stop(app);
    if (s.windowMs <= 0) return;
    const started = Date.now();
    const before = this.deps.rates.window(app, started - 60_000, started);
    const baselineHealthy = before.total < MIN_REQUESTS || before.errors / before.total < s.errorShare / 2;
    const tick = (): void => {
      if (this.deps.current(app) !== fresh || Date.now() - started > s.windowMs) return void this.watching.delete(app);
      const reason = this.verdict(app, fresh, started, baselineHealthy, s);
      if (!reason) return void this.watching.set(app, setTimeout(tick, 1000).unref());
      this.watching.delete(app);
      this.deps.log(app, `Post-release guard: v${fresh} ${reason}; rolling back to v${previous}`);
      void this.deps.rollback(app, previous, reason).catch((e: Error) => this.deps.log(app, `Post-release guard: the rollback to v${previous} failed: ${e.message}`));
    };
    this.watching.set(app, setTimeout(tick, 1000).unref());
  }

  stop(app: string): void {
    clearTimeout(this.watching.get(app));
    this.watching.delete(app);
  }

  private verdict(app: string, fresh: number, started: number, baselineHealthy: boolean, s: GuardSettings): string | undefined {
    const crashes = this.deps.restarts(app, fresh);
    if (crashes >= s.crashes) return `crashed ${crashes} times within ${Math.round((Date.now() - started) / 1000)} s of its deploy`;
    const now = this.deps.rates.window(app, Math.max(started, Date.now() - 30_000));
    if (baselineHealthy && now.total >= MIN_REQUESTS && now.errors / now.total > s.errorShare) {
      return `answered ${now.errors} of ${now.total} requests with 5xx (over ${Math.round(s.errorShare * 100)}%) while the previous release was healthy`;
    }
    return undefined;
  }
}
