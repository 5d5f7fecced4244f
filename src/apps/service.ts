import { rmSync } from 'node:fs';
import { SlipwayError, resolveInside } from '../lib/index.js';
import type { AppRow, ReleaseRow, Store } from '../state/index.js';
import { generateAppName, parseAppName } from './names.js';

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
  ) {}

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
