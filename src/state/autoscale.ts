import type { Db } from './db.js';

/** An autoscale rule as stored; `enabled = 0` remembers that the user turned it off (no default is applied again). */
export interface AutoscaleRow {
  app_id: number;
  type: string;
  enabled: number;
  min_q: number;
  max_q: number;
  concurrency: number;
  idle_s: number;
  window_s: number;
  updated_at: string;
}

export type AutoscaleRule = Omit<AutoscaleRow, 'app_id' | 'type' | 'enabled' | 'updated_at'>;

/** Autoscale rules per app and process type. */
export class AutoscaleStore {
  constructor(private readonly db: Db) {}

  get(appId: number, type: string): AutoscaleRow | undefined {
    return this.db.prepare('SELECT * FROM autoscale WHERE app_id = ? AND type = ?').get(appId, type) as AutoscaleRow | undefined;
  }

  /** Every enabled rule, with its app's name. */
  enabled(): (AutoscaleRow & { app: string })[] {
    return this.db.prepare('SELECT a.*, apps.name AS app FROM autoscale a JOIN apps ON apps.id = a.app_id WHERE a.enabled = 1 ORDER BY apps.name, a.type').all() as (AutoscaleRow & { app: string })[];
  }

  set(appId: number, type: string, rule: AutoscaleRule): void {
    this.db
      .prepare(
        `INSERT INTO autoscale (app_id, type, enabled, min_q, max_q, concurrency, idle_s, window_s, updated_at) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (app_id, type) DO UPDATE SET enabled = 1, min_q = excluded.min_q, max_q = excluded.max_q, concurrency = excluded.concurrency,
           idle_s = excluded.idle_s, window_s = excluded.window_s, updated_at = excluded.updated_at`,
      )
      .run(appId, type, rule.min_q, rule.max_q, rule.concurrency, rule.idle_s, rule.window_s, new Date().toISOString());
  }

  /** Turns the rule off and keeps its figures (a later `ps:autoscale` starts from them). */
  disable(appId: number, type: string): boolean {
    return this.db.prepare("UPDATE autoscale SET enabled = 0, updated_at = ? WHERE app_id = ? AND type = ? AND enabled = 1").run(new Date().toISOString(), appId, type).changes > 0;
  }
}
