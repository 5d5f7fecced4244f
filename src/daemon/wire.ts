import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApi, hashToken } from '../api/index.js';
import { AppService } from '../apps/index.js';
import { BuildService } from '../builds/index.js';
import { ConfigService } from '../config/index.js';
import type { HookEnv } from '../git/index.js';
import { packageVersion } from '../lib/index.js';
import { LogStore } from '../logs/index.js';
import { Metrics } from '../metrics/index.js';
import { ReleaseService } from '../releases/index.js';
import { Router } from '../router/index.js';
import { ProcessDriver } from '../runtime/index.js';
import { CronService, RunService } from '../scheduler/index.js';
import { FUNCTION_WEB_COMMAND } from '../buildpacks/index.js';
import { AutoscaleStore, BuildStore, MetricStore, openDb, RunStore, Store, type AutoscaleRow, type Db } from '../state/index.js';
import { Autoscaler, Operations, type AutoscaleRule, Supervisor, type WebTarget, type WebState } from '../supervisor/index.js';
import { StackService } from '../stacks/index.js';
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
  supervisor: Supervisor;
  ops: Operations;
  cron: CronService;
  autoscaler: Autoscaler;
  logs: LogStore;
  metrics: Metrics;
  version: string;
  /** Filled in once the listeners are bound (port 0 becomes a real port). */
  urls: Urls;
  hook: HookEnv;
}

/** The only place that constructs services and connects them. */
export function wire(settings: Settings): Platform {
  const home = settings.home;
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const db = openDb(path.join(home, 'state.db'));
  const store = new Store(db);
  store.ensureUidBlock(Math.random);
  ensureAdminToken(store, home);
  const version = packageVersion();
  const urls: Urls = { api: '', router: '' };
  const logs = new LogStore(path.join(home, 'logs'));

  const router = new Router({
    runDir: path.join(home, 'router'),
    domain: settings.domain,
    listen: settings.routerListen,
    onRouterLog: (app, line) => {
      const status = /\bstatus=(\d{3})\b/.exec(line)?.[1];
      if (status) ops.rates.record(app, Number(status));
      metrics.routerLine(app, line);
      logs.append(app, { source: 'router', line: line.replace(/dyno=(\S+?)_[0-9a-f]{6}\b/, 'dyno=$1') });
    },
    activator: {
      wake: (app) => {
        autoscaler.wake(app).catch((e: unknown) => {
          const why = e instanceof Error ? e.message : String(e);
          logs.append(app, { source: 'platform', line: `Autoscale web: the wake failed: ${why}` });
          router.wakeFailed(app, why);
        });
      },
      event: (app, line) => logs.append(app, { source: 'platform', line }),
    },
  });
  // The router's view of an app: its custom domains, its ready web targets and what to show without any.
  const web = new Map<string, { targets: WebTarget[]; state: WebState; reason?: string }>();
  const route = (name: string): Promise<void> => {
    const app = store.findApp(name);
    if (!app) return router.removeApp(name);
    const w = web.get(name) ?? { targets: [], state: 'stopped' as const };
    return router.setApp(name, { hosts: store.domains(app.id), targets: w.targets, state: w.state, reason: w.reason, activate: autoscaler.scalesToZero(name) });
  };

  const supervisor = new Supervisor({
    driver: new ProcessDriver(path.join(home, 'run')),
    events: {
      log: (app, e) => logs.append(app, e),
      publish: (app, w) => {
        web.set(app, w);
        return route(app);
      },
      inflight: async (app, ids) => {
        const targets = (await router.stats())[app]?.targets ?? {};
        return ids.reduce((n, id) => n + (targets[id]?.inflight ?? 0), 0);
      },
    },
  });

  const apps = new AppService(
    store,
    home,
    {
      destroyed: (app) => {
        cron.stop(app.name);
        metrics.forget(app.name);
        web.delete(app.name);
        logs.removeApp(app.name);
      },
    },
    settings.domain,
  );
  const releases = new ReleaseService(store);
  const ops = new Operations({
    home,
    supervisor,
    releases,
    app: (name) => apps.getApp(name),
    allApps: () => store.listApps(),
    formation: { get: (id) => store.formation(id), set: (id, rows) => store.setFormation(id, rows) },
    log: (app, line) => logs.append(app, { source: 'platform', line }),
    keepUnpacked: settings.keepReleases,
    beforeDeploy: (app) => autoscaler.beforeDeploy(app),
    scalesToZero: (app) => autoscaler.scalesToZero(app),
    deployed: (app) => {
      metrics.deployed(app);
      void cron.sync(app);
      autoscaler.deployed(app, releases.current(apps.getApp(app).id)?.process_types.web === FUNCTION_WEB_COMMAND);
    },
  });
  const rules = new AutoscaleStore(db);
  const autoscaler: Autoscaler = new Autoscaler({
    ops,
    appId: (name) => apps.getApp(name).id,
    rules: {
      enabled: () => rules.enabled().map((r) => ({ app: r.app, appId: r.app_id, type: r.type, rule: fromRow(r) })),
      get: (id, type) => {
        const r = rules.get(id, type);
        return r && { enabled: r.enabled === 1, rule: fromRow(r) };
      },
      set: (id, type, r) => rules.set(id, type, { min_q: r.min, max_q: r.max, concurrency: r.concurrency, idle_s: r.idleS, window_s: r.windowS }),
      disable: (id, type) => rules.disable(id, type),
    },
    stats: () => router.stats(),
    activation: (app) => router.activation(app),
    route,
    log: (app, line) => logs.append(app, { source: 'platform', line }),
    tickMs: settings.autoscaleTickMs,
  });
  ops.recoverInterrupted();
  const runStore = new RunStore(db);
  runStore.closeUnfinished(); // runs cut by a daemon death ended with it (their instances died too)
  const runs = new RunService({ ops, supervisor, records: runStore, log: (app, line) => logs.append(app, { source: 'platform', line }) });
  const cron: CronService = new CronService({
    ops,
    supervisor,
    records: runStore,
    appId: (name) => apps.getApp(name).id,
    log: (app, line) => logs.append(app, { source: 'platform', line }),
    timeScale: settings.cronTimeScale,
  });

  // Builds that were running when the daemon died are failed and their
  // workspaces removed: no half release is ever resumed or kept.
  const buildStore = new BuildStore(db);
  buildStore.failInterrupted();
  const metrics: Metrics = new Metrics({
    store: new MetricStore(db),
    apps: () => store.listApps().map((a) => a.name),
    instances: (app) => supervisor.ps(app),
    pids: (app) => supervisor.pids(app),
    daemon: () => {
      const b = buildStore.active();
      return { buildsRunning: b.running, buildsPending: b.pending, routerReloads: router.reloads };
    },
    intervalMs: settings.metricsIntervalMs,
  });
  rmSync(path.join(home, 'builds'), { recursive: true, force: true });

  // git's pre-receive hook calls back into the API with a token that lives
  // only in this process and in the environment of git http-backend.
  const hook: HookEnv = { url: '', token: `slw_hook_${randomBytes(32).toString('base64url')}` };
  const hookHash = hashToken(hook.token);

  const webUrl = (name: string): string => {
    const u = new URL(urls.router);
    u.hostname = `${name}.${settings.domain}`;
    return u.origin;
  };
  const builds = new BuildService({
    home,
    records: buildStore,
    releases: {
      config: (id) => releases.config(id),
      create: (id, rel) => releases.createFromBuild(id, rel),
      deploy: (app, v, line) => ops.deploy(app, v, line),
    },
    appLog: (app, line) => logs.append(app, { source: 'build', line }),
    webUrl,
    timeoutMs: settings.buildTimeoutMs,
  });
  const api = buildApi({
    home,
    apps,
    builds,
    ops,
    runs,
    cron,
    autoscaler,
    logs,
    metrics,
    hook,
    config: new ConfigService(store),
    releases,
    stacks: new StackService(settings.stackCache),
    tokenHashes: () => [...store.tokenHashes(), hookHash],
    server: () => ({ version, api: urls.api, router: urls.router, domain: settings.domain }),
    webUrl,
    route,
    gitUrl: (name) => `${urls.api}/git/${name}.git`,
  });
  return { db, store, api, router, supervisor, ops, cron, autoscaler, logs, metrics, version, urls, hook };
}

function fromRow(r: AutoscaleRow): AutoscaleRule {
  return { min: r.min_q, max: r.max_q, concurrency: r.concurrency, idleS: r.idle_s, windowS: r.window_s };
}
