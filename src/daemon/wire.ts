import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApi, hashToken } from '../api/index.js';
import { BuildService } from '../build/index.js';
import type { HookEnv } from '../git/index.js';
import { AppService } from '../apps/index.js';
import { ConfigService } from '../config/index.js';
import { ReleaseService } from '../releases/index.js';
import { Router } from '../router/index.js';
import { BuildStore, openDb, Store, type Db } from '../state/index.js';
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
  hook: HookEnv;
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

  // Builds that were running when the daemon died are failed and their
  // workspaces removed: no half release is ever resumed or kept.
  const buildStore = new BuildStore(db);
  buildStore.failInterrupted();
  rmSync(path.join(settings.home, 'builds'), { recursive: true, force: true });

  // git's pre-receive hook calls back into the API with a token that lives
  // only in this process and in the environment of git http-backend.
  const hook: HookEnv = { url: '', token: `slw_hook_${randomBytes(32).toString('base64url')}` };
  const hookHash = hashToken(hook.token);

  const webUrl = (name: string): string => {
    const u = new URL(urls.router);
    u.hostname = `${name}.${settings.domain}`;
    return u.origin;
  };
  const releases = new ReleaseService(store);
  const builds = new BuildService({
    home: settings.home,
    records: buildStore,
    releases: { config: (id) => releases.config(id), create: (id, rel) => releases.createFromBuild(id, rel) },
    webUrl,
    timeoutMs: settings.buildTimeoutMs,
  });
  const api = buildApi({
    home: settings.home,
    apps,
    builds,
    hook,
    config: new ConfigService(store),
    releases,
    tokenHashes: () => [...store.tokenHashes(), hookHash],
    server: () => ({ version, api: urls.api, router: urls.router, domain: settings.domain }),
    webUrl,
    gitUrl: (name) => `${urls.api}/git/${name}.git`,
  });
  return { db, store, api, router, version, urls, hook };
}
