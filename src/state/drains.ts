import type { Db } from './db.js';

export interface DrainRow {
  id: number;
  app: string;
  url: string;
  token: string;
  ca: string | null;
  created_at: string;
}

/** Log drains per app (the URL may hold credentials: it is never listed as stored). */
export class DrainStore {
  constructor(private readonly db: Db) {}

  all(): DrainRow[] {
    return this.db.prepare('SELECT d.id, apps.name AS app, d.url, d.token, d.ca, d.created_at FROM drains d JOIN apps ON apps.id = d.app_id ORDER BY d.id').all() as DrainRow[];
  }

  insert(app: string, d: { url: string; token: string; ca: string | null }): DrainRow {
    const created = new Date().toISOString();
    const r = this.db.prepare('INSERT INTO drains (app_id, url, token, ca, created_at) SELECT id, ?, ?, ?, ? FROM apps WHERE name = ?').run(d.url, d.token, d.ca, created, app);
    if (r.changes !== 1) throw new Error(`no app ${app} to add a drain to`);
    return { id: Number(r.lastInsertRowid), app, ...d, created_at: created };
  }

  delete(app: string, id: number): void {
    this.db.prepare('DELETE FROM drains WHERE id = ? AND app_id = (SELECT id FROM apps WHERE name = ?)').run(id, app);
  }
}
