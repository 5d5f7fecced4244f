import type { Db } from './db.js';

/** One stored point: an app's figures for the `res`-second bucket starting at `t` (unix seconds), as JSON the metrics room owns. */
export interface MetricRow {
  t: number;
  data: string;
}

/** Metric points per app and resolution; the metrics room decides what is in `data` and how points merge. */
export class MetricStore {
  constructor(private readonly db: Db) {}

  /** Runs fn in one transaction (a sample's reads and writes of every app and resolution). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  appId(app: string): number | undefined {
    return (this.db.prepare('SELECT id FROM apps WHERE name = ?').get(app) as { id: number } | undefined)?.id;
  }

  get(appId: number, res: number, t: number): string | undefined {
    return (this.db.prepare('SELECT data FROM metric_points WHERE app_id = ? AND res = ? AND t = ?').get(appId, res, t) as { data: string } | undefined)?.data;
  }

  put(appId: number, res: number, t: number, data: string): void {
    this.db.prepare('INSERT INTO metric_points (app_id, res, t, data) VALUES (?, ?, ?, ?) ON CONFLICT (app_id, res, t) DO UPDATE SET data = excluded.data').run(appId, res, t, data);
  }

  /** Points of one app at one resolution from `since` on, oldest first. */
  range(appId: number, res: number, since: number): MetricRow[] {
    return this.db.prepare('SELECT t, data FROM metric_points WHERE app_id = ? AND res = ? AND t >= ? ORDER BY t').all(appId, res, since) as MetricRow[];
  }

  /** Drops points of this resolution older than `before`. */
  prune(res: number, before: number): void {
    this.db.prepare('DELETE FROM metric_points WHERE res = ? AND t < ?').run(res, before);
  }
}
