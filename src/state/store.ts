import type { Db } from './db.js';

export interface AppRow {
  id: number;
  name: string;
  created_at: string;
  /** The app's own Unix user id: builds and instances run as it. Never reused. */
  uid: number;
  /** Buildpacks set with `buildpacks:set` (specs, in order); empty = app.json or detection. */
  buildpacks: string[];
  /** Per-app settings (stop-timeout, drain-timeout, ...), validated by apps/settings.ts. */
  settings: Record<string, number>;
}

interface RawApp extends Omit<AppRow, 'buildpacks' | 'settings'> {
  buildpacks: string;
  settings: string;
}

const APP_COLS = 'id, name, created_at, uid, buildpacks, settings';
const toApp = (r: RawApp | undefined): AppRow | undefined => r && { ...r, buildpacks: JSON.parse(r.buildpacks) as string[], settings: JSON.parse(r.settings) as Record<string, number> };

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
  /** app.json as parsed at build time (healthchecks, cron, formation), or null. */
  app_json: unknown;
}

interface RawRelease extends Omit<ReleaseRow, 'config' | 'process_types' | 'app_json'> {
  config: string;
  process_types: string;
  app_json: string | null;
}

export interface FormationRow {
  type: string;
  quantity: number;
  memory_mb: number | null;
}

export interface NewRelease {
  description: string;
  config: Record<string, string>;
  slug?: string | null;
  processTypes?: Record<string, string>;
  appJson?: unknown;
  status?: string;
}

const now = (): string => new Date().toISOString();

function toRelease(r: RawRelease): ReleaseRow {
  return {
    ...r,
    config: JSON.parse(r.config) as Record<string, string>,
    process_types: JSON.parse(r.process_types) as Record<string, string>,
    app_json: r.app_json === null ? null : (JSON.parse(r.app_json) as unknown),
  };
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

  setSettings(id: number, settings: Record<string, number>): void {
    this.db.prepare('UPDATE apps SET settings = ? WHERE id = ?').run(JSON.stringify(settings), id);
  }

  setBuildpacks(id: number, buildpacks: string[]): void {
    this.db.prepare('UPDATE apps SET buildpacks = ? WHERE id = ?').run(JSON.stringify(buildpacks), id);
  }

  /**
   * On a fresh state: move the uid counter to a random block, so two
   * Slipway homes on one machine (tests, staging beside production) do not
   * hand out the same app uids.
   */
  ensureUidBlock(random: () => number): void {
    const { n } = this.db.prepare('SELECT COUNT(*) n FROM apps').get() as { n: number };
    const { value } = this.db.prepare("SELECT value FROM counters WHERE name = 'uid'").get() as { value: number };
    if (n === 0 && value === 70000) this.db.prepare("UPDATE counters SET value = ? WHERE name = 'uid'").run(100_000 + Math.floor(random() * 9000) * 1000);
  }

  deleteApp(id: number): void {
    this.db.prepare('DELETE FROM apps WHERE id = ?').run(id);
  }

  /** The newest release that deployed (failed and still-deploying ones are skipped): what runs, and what changes build on. */
  latestRelease(appId: number): ReleaseRow | undefined {
    return this.currentRelease(appId);
  }

  getRelease(appId: number, version: number): ReleaseRow | undefined {
    const r = this.db.prepare('SELECT * FROM releases WHERE app_id = ? AND version = ?').get(appId, version) as RawRelease | undefined;
    return r && toRelease(r);
  }

  /** The release that is (or should be) running: the newest one whose deploy did not fail. */
  currentRelease(appId: number): ReleaseRow | undefined {
    const r = this.db.prepare("SELECT * FROM releases WHERE app_id = ? AND status = 'succeeded' ORDER BY version DESC LIMIT 1").get(appId) as RawRelease | undefined;
    return r && toRelease(r);
  }

  setReleaseStatus(appId: number, version: number, status: string): void {
    this.db.prepare('UPDATE releases SET status = ? WHERE app_id = ? AND version = ?').run(status, appId, version);
  }

  formation(appId: number): FormationRow[] {
    return this.db.prepare('SELECT type, quantity, memory_mb FROM formation WHERE app_id = ? ORDER BY type').all(appId) as FormationRow[];
  }

  /** Sets the given types (others untouched), in one transaction. */
  setFormation(appId: number, rows: { type: string; quantity?: number; memory_mb?: number | null }[]): void {
    this.db.transaction(() => {
      for (const r of rows) {
        this.db
          .prepare('INSERT INTO formation (app_id, type, quantity, memory_mb) VALUES (?, ?, ?, ?) ON CONFLICT (app_id, type) DO UPDATE SET quantity = COALESCE(?, quantity), memory_mb = COALESCE(?, memory_mb)')
          .run(appId, r.type, r.quantity ?? 0, r.memory_mb ?? null, r.quantity ?? null, r.memory_mb ?? null);
      }
    })();
  }

  domains(appId: number): string[] {
    return (this.db.prepare('SELECT hostname FROM domains WHERE app_id = ? ORDER BY hostname').all(appId) as { hostname: string }[]).map((r) => r.hostname);
  }

  /** Returns the app that owns a hostname, if any. */
  domainOwner(hostname: string): number | undefined {
    return (this.db.prepare('SELECT app_id FROM domains WHERE hostname = ?').get(hostname) as { app_id: number } | undefined)?.app_id;
  }

  addDomain(appId: number, hostname: string): boolean {
    return this.db.prepare('INSERT INTO domains (hostname, app_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(hostname, appId, now()).changes > 0;
  }

  removeDomain(appId: number, hostname: string): boolean {
    return this.db.prepare('DELETE FROM domains WHERE app_id = ? AND hostname = ?').run(appId, hostname).changes > 0;
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
      .prepare('INSERT INTO releases (app_id, version, description, config, slug, process_types, app_json, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(appId, next, rel.description, JSON.stringify(rel.config), rel.slug ?? null, JSON.stringify(rel.processTypes ?? {}), rel.appJson === undefined || rel.appJson === null ? null : JSON.stringify(rel.appJson), rel.status ?? 'succeeded', now());
    const r = this.db.prepare('SELECT * FROM releases WHERE app_id = ? AND version = ?').get(appId, next) as RawRelease;
    return toRelease(r);
  }
}
