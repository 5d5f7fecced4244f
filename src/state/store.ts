import type { Db } from './db.js';

export interface AppRow {
  id: number;
  name: string;
  created_at: string;
}

export interface ReleaseRow {
  id: number;
  app_id: number;
  version: number;
  description: string;
  config: Record<string, string>;
  slug: string | null;
  process_types: Record<string, string>;
  status: string;
  created_at: string;
}

interface RawRelease extends Omit<ReleaseRow, 'config' | 'process_types'> {
  config: string;
  process_types: string;
}

export interface NewRelease {
  description: string;
  config: Record<string, string>;
  slug?: string | null;
  processTypes?: Record<string, string>;
}

const now = (): string => new Date().toISOString();

function toRelease(r: RawRelease): ReleaseRow {
  return { ...r, config: JSON.parse(r.config) as Record<string, string>, process_types: JSON.parse(r.process_types) as Record<string, string> };
}

/** Typed queries over state.db. Multi-step changes run in one transaction. */
export class Store {
  constructor(private readonly db: Db) {}

  findApp(name: string): AppRow | undefined {
    return this.db.prepare('SELECT id, name, created_at FROM apps WHERE name = ?').get(name) as AppRow | undefined;
  }

  listApps(): AppRow[] {
    return this.db.prepare('SELECT id, name, created_at FROM apps ORDER BY name').all() as AppRow[];
  }

  /** Inserts the app and its v1 "Initial release" atomically; returns undefined if the name is taken. */
  insertApp(name: string): AppRow | undefined {
    return this.db.transaction(() => {
      const res = this.db.prepare('INSERT INTO apps (name, created_at) VALUES (?, ?) ON CONFLICT(name) DO NOTHING').run(name, now());
      if (res.changes === 0) return undefined;
      const app = this.findApp(name) as AppRow;
      this.insertReleaseTx(app.id, { description: 'Initial release', config: {} });
      return app;
    })();
  }

  deleteApp(id: number): void {
    this.db.prepare('DELETE FROM apps WHERE id = ?').run(id);
  }

  latestRelease(appId: number): ReleaseRow | undefined {
    const r = this.db.prepare('SELECT * FROM releases WHERE app_id = ? ORDER BY version DESC LIMIT 1').get(appId) as RawRelease | undefined;
    return r && toRelease(r);
  }

  listReleases(appId: number): ReleaseRow[] {
    const rows = this.db.prepare('SELECT * FROM releases WHERE app_id = ? ORDER BY version DESC').all(appId) as RawRelease[];
    return rows.map(toRelease);
  }

  /**
   * Appends release vN+1. `derive` sees the latest release inside the same
   * transaction, so two concurrent config changes cannot both build on vN.
   */
  appendRelease(appId: number, derive: (latest: ReleaseRow | undefined) => NewRelease): ReleaseRow {
    return this.db.transaction(() => this.insertReleaseTx(appId, derive(this.latestRelease(appId))))();
  }

  private insertReleaseTx(appId: number, rel: NewRelease): ReleaseRow {
    const next = ((this.db.prepare('SELECT MAX(version) v FROM releases WHERE app_id = ?').get(appId) as { v: number | null }).v ?? 0) + 1;
    this.db
      .prepare('INSERT INTO releases (app_id, version, description, config, slug, process_types, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(appId, next, rel.description, JSON.stringify(rel.config), rel.slug ?? null, JSON.stringify(rel.processTypes ?? {}), now());
    const r = this.db.prepare('SELECT * FROM releases WHERE app_id = ? AND version = ?').get(appId, next) as RawRelease;
    return toRelease(r);
  }

  tokenHashes(): Buffer[] {
    const rows = this.db.prepare('SELECT hash FROM tokens').all() as { hash: string }[];
    return rows.map((r) => Buffer.from(r.hash, 'hex'));
  }

  hasToken(name: string): boolean {
    return this.db.prepare('SELECT 1 FROM tokens WHERE name = ?').get(name) !== undefined;
  }

  insertToken(name: string, hashHex: string): void {
    this.db.prepare('INSERT INTO tokens (name, hash, created_at) VALUES (?, ?, ?)').run(name, hashHex, now());
  }
}
