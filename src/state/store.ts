import type { Db } from './db.js';

export interface AppRow {
  id: number;
  name: string;
  created_at: string;
  /** The app's own Unix user id: builds and instances run as it. Never reused. */
  uid: number;
  /** Buildpacks set with `buildpacks:set` (specs, in order); empty = app.json or detection. */
  buildpacks: string[];
}

interface RawApp extends Omit<AppRow, 'buildpacks'> {
  buildpacks: string;
}

const APP_COLS = 'id, name, created_at, uid, buildpacks';
const toApp = (r: RawApp | undefined): AppRow | undefined => r && { ...r, buildpacks: JSON.parse(r.buildpacks) as string[] };

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
    return toApp(this.db.prepare(`SELECT ${APP_COLS} FROM apps WHERE name = ?`).get(name) as RawApp | undefined);
  }

  listApps(): AppRow[] {
    return (this.db.prepare(`SELECT ${APP_COLS} FROM apps ORDER BY name`).all() as RawApp[]).map((r) => toApp(r) as AppRow);
  }

  /** Inserts the app and its v1 "Initial release" atomically; returns undefined if the name is taken. */
  insertApp(name: string): AppRow | undefined {
    return this.db.transaction(() => {
      if (this.findApp(name)) return undefined;
      const uid = (this.db.prepare("UPDATE counters SET value = value + 1 WHERE name = 'uid' RETURNING value").get() as { value: number }).value;
      this.db.prepare('INSERT INTO apps (name, created_at, uid) VALUES (?, ?, ?)').run(name, now(), uid);
      const app = this.findApp(name) as AppRow;
      this.insertReleaseTx(app.id, { description: 'Initial release', config: {} });
      return app;
    })();
  }

  setBuildpacks(id: number, buildpacks: string[]): void {
    this.db.prepare('UPDATE apps SET buildpacks = ? WHERE id = ?').run(JSON.stringify(buildpacks), id);
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
