import { rmSync } from 'node:fs';
import { SlipwayError, resolveInside } from '../lib/index.js';
import type { AppRow, ReleaseRow, Store } from '../state/index.js';
import { generateAppName, parseAppName } from './names.js';
import { parseDomain } from './domains.js';
import { parseSettingsPatch } from './settings.js';

/** Directories under SLIPWAY_HOME that belong to one app; destroying the app removes them all. */
export const APP_DIRS = ['repos', 'cache', 'slugs', 'releases', 'logs', 'builds'] as const;

export interface AppEvents {
  created?(app: AppRow): void;
  destroyed?(app: AppRow): void;
}

export interface AppView {
  app: AppRow;
  release: ReleaseRow | undefined;
}

export class AppService {
  constructor(
    private readonly store: Store,
    private readonly home: string,
    private readonly events: AppEvents = {},
    private readonly platformDomain = 'localhost',
  ) {}

  domains(name: unknown): string[] {
    return this.store.domains(this.getApp(name).id);
  }

  addDomain(name: unknown, domain: unknown): string {
    const app = this.getApp(name);
    const d = parseDomain(domain, this.platformDomain);
    const owner = this.store.domainOwner(d);
    if (owner !== undefined && owner !== app.id) throw new SlipwayError('E_APP_EXISTS', `${d} is already a domain of another app`, { hint: 'remove it there first' });
    if (owner === undefined) this.store.addDomain(app.id, d);
    return d;
  }

  removeDomain(name: unknown, domain: unknown): string {
    const app = this.getApp(name);
    const d = parseDomain(domain, this.platformDomain);
    if (!this.store.removeDomain(app.id, d)) throw new SlipwayError('E_NOT_FOUND', `${d} is not a domain of ${app.name}`, { hint: `run \`slipway domains -a ${app.name}\`` });
    return d;
  }

  findApp(name: string): AppRow | undefined {
    return this.store.findApp(name);
  }

  getApp(name: unknown): AppRow {
    const valid = parseAppName(name);
    const app = this.store.findApp(valid);
    if (!app) {
      throw new SlipwayError('E_APP_NOT_FOUND', `app ${valid} not found`, { hint: 'run `slipway apps` to list apps' });
    }
    return app;
  }

  list(): AppView[] {
    return this.store.listApps().map((app) => ({ app, release: this.store.latestRelease(app.id) }));
  }

  view(name: unknown): AppView {
    const app = this.getApp(name);
    return { app, release: this.store.latestRelease(app.id) };
  }

  create(name?: unknown): AppView {
    const valid = name === undefined ? this.freeGeneratedName() : parseAppName(name);
    // Leftovers of an app destroyed while the daemon died half-way must not leak into a new one.
    this.removeFiles(valid);
    const app = this.store.insertApp(valid);
    if (!app) {
      throw new SlipwayError('E_APP_EXISTS', `app ${valid} already exists`, { hint: 'pick another name, or use the existing app with -a ' + valid });
    }
    this.events.created?.(app);
    return { app, release: this.store.latestRelease(app.id) };
  }

  /** Sets or (with null) resets settings; returns the whole set. */
  updateSettings(name: unknown, patch: unknown): Record<string, number> {
    const app = this.getApp(name);
    const next: Record<string, number> = { ...app.settings };
    for (const [k, v] of Object.entries(parseSettingsPatch(patch))) {
      if (v === null) delete next[k];
      else next[k] = v;
    }
    this.store.setSettings(app.id, next);
    return next;
  }

  /** Replaces the app's buildpack list (specs already validated by the caller); [] means detect. */
  setBuildpacks(name: unknown, specs: string[]): AppRow {
    const app = this.getApp(name);
    this.store.setBuildpacks(app.id, specs);
    return { ...app, buildpacks: specs };
  }

  destroy(name: unknown): AppRow {
    const app = this.getApp(name);
    this.store.deleteApp(app.id); // the commit point; files follow
    this.removeFiles(app.name);
    this.events.destroyed?.(app);
    return app;
  }

  private removeFiles(name: string): void {
    for (const dir of APP_DIRS) {
      for (const entry of [name, `${name}.git`]) {
        rmSync(resolveInside(this.home, dir, entry), { recursive: true, force: true });
      }
    }
  }

  private freeGeneratedName(): string {
    for (let i = 0; i < 20; i++) {
      const n = generateAppName();
      if (!this.store.findApp(n)) return n;
    }
    throw new SlipwayError('E_APP_EXISTS', 'could not find a free generated app name', { hint: 'give the app a name' });
  }
}
