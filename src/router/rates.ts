/** Per-app request outcomes from the router's log, in one-second buckets for the last minutes. */
export class RequestRates {
  private readonly apps = new Map<string, Map<number, { total: number; errors: number }>>();

  record(app: string, status: number, now = Date.now()): void {
    let buckets = this.apps.get(app);
    if (!buckets) this.apps.set(app, (buckets = new Map()));
    const sec = Math.floor(now / 1000);
    const b = buckets.get(sec) ?? { total: 0, errors: 0 };
    b.total++;
    if (status >= 500) b.errors++;
    buckets.set(sec, b);
    if (buckets.size > 600) for (const k of buckets.keys()) if (k < sec - 600) buckets.delete(k);
  }

  /** Requests and 5xx answers between `fromMs` and `toMs`. */
  window(app: string, fromMs: number, toMs = Date.now()): { total: number; errors: number } {
    const out = { total: 0, errors: 0 };
    for (const [sec, b] of this.apps.get(app) ?? []) {
      if (sec * 1000 >= fromMs && sec * 1000 <= toMs) {
        out.total += b.total;
        out.errors += b.errors;
      }
    }
    return out;
  }

  forget(app: string): void {
    this.apps.delete(app);
  }
}
