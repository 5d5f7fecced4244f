import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../api/index.js';
import { AppService } from '../apps/index.js';
import { ConfigService } from '../config/index.js';
import { ReleaseService } from '../releases/index.js';
import { Router } from '../router/index.js';
import { openDb, Store, type Db } from '../state/index.js';
import { packageVersion } from '../lib/index.js';
import type { Settings } from './settings.js';
import { ensureAdminToken } from './token.js';

export interface Urls {
  api: string;
  router: string;
}

export interface Platform {
  db: Db;
  store: Store;
  api: FastifyInstance;
  router: Router;
  version: string;
  /** Filled in once the listeners are bound (port 0 becomes a real port). */
  urls: Urls;
}

/** The only place that constructs services and connects them. */
export function wire(settings: Settings): Platform {
  mkdirSync(settings.home, { recursive: true, mode: 0o700 });
  const db = openDb(path.join(settings.home, 'state.db'));
  const store = new Store(db);
  ensureAdminToken(store, settings.home);
  const version = packageVersion();
  const router = new Router(settings.domain);
  const urls: Urls = { api: '', router: '' };

  const apps = new AppService(store, settings.home, {
    created: (app) => router.setTargets(app.name, []),
    destroyed: (app) => router.removeApp(app.name),
  });
  for (const app of store.listApps()) router.setTargets(app.name, []);

  const webUrl = (name: string): string => {
    const u = new URL(urls.router);
    u.hostname = `${name}.${settings.domain}`;
    return u.origin;
  };
  const api = buildApi({
    apps,
    config: new ConfigService(store),
    releases: new ReleaseService(store),
    tokenHashes: () => store.tokenHashes(),
    server: () => ({ version, api: urls.api, router: urls.router, domain: settings.domain }),
    webUrl,
    gitUrl: (name) => `${urls.api}/git/${name}.git`,
  });
  return { db, store, api, router, version, urls };
}
