import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApi, Sessions } from '../api/index.js';
import { AuthService } from '../auth/index.js';
import { AppService } from '../apps/index.js';
import { BuildService } from '../builds/index.js';
import { ConfigService } from '../config/index.js';
import type { HookEnv } from '../git/index.js';
import { packageVersion } from '../lib/index.js';
import { DrainService, LogStore } from '../logs/index.js';
import { Metrics } from '../metrics/index.js';
import { ReleaseService } from '../releases/index.js';
import { CertManager, Routing } from '../router/index.js';
import { ProcessDriver } from '../runtime/index.js';
import { CronService, RunService } from '../scheduler/index.js';
import { ensureRuntimeCache, isFunctionWebCommand, NodeRuntimes, RUNTIMES_MOUNT } from '../buildpacks/index.js';
import { AuthStore, AutoscaleStore, BuildStore, DrainStore, MetricStore, SessionStore, openDb, RunStore, Store, type AutoscaleRow, type Db } from '../state/index.js';
import { Autoscaler, Operations, scalesToZero, type AutoscaleRule, type RuleStore, Supervisor } from '../supervisor/index.js';
import { StackService } from '../stacks/index.js';
import type { Settings } from './settings.js';
import { ensureAdminToken } from './token.js';

export interface Urls {
  api: string;
  router: string;
  /** The HTTPS listener, when there is one. */
  routerTls?: string;
}

export interface Platform {
  db: Db;
  store: Store;
  api: FastifyInstance;
  routing: Routing;
  certs: CertManager;
  supervisor: Supervisor;
  ops: Operations;
  cron: CronService;
  autoscaler: Autoscaler;
  logs: LogStore;
  metrics: Metrics;
  drains: DrainService;
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
  const auth = new AuthService({ store: new AuthStore(db), appId: (name) => store.findApp(name)?.id });
  ensureAdminToken(auth, home);
  const version = packageVersion();
  const urls: Urls = { api: '', router: '' };
  const logs = new LogStore(path.join(home, 'logs'));

  const rules = autoscaleRules(new AutoscaleStore(db));
  const routing = new Routing({
    router: { runDir: path.join(home, 'router'), domain: settings.domain, listen: settings.routerListen, tlsListen: settings.routerTlsListen },
    hosts: (name) => {
      const app = store.findApp(name);
      return app && store.domains(app.id);
    },
    scalesToZero: (name) => {
      const app = store.findApp(name);
      return app !== undefined && scalesToZero(rules, app.id);
    },
    log: (app, e) => logs.append(app, e),
  });

  const certs = new CertManager({
    dir: path.join(home, 'certs'),
    serve: (id, pem) => routing.router.setCert(id, pem),
    unserve: (id) => routing.router.removeCert(id),
    hostsOf: (name) => {
      const app = store.findApp(name);
      return app ? [`${app.name}.${settings.domain}`, ...store.domains(app.id)] : [];
    },
    log: (app, line) => logs.append(app, { source: 'platform', line }),
  });

  ensureRuntimeCache(settings.runtimeCache);
  const runtimesMount = { src: settings.runtimeCache, dest: RUNTIMES_MOUNT, readOnly: true };
  const supervisor = new Supervisor({
    driver: new ProcessDriver(path.join(home, 'run'), { sharedMounts: [runtimesMount] }),
    events: {
      log: (app, e) => logs.append(app, e),
      publish: (app, w) => routing.publish(app, w),
      drain: (app, ids, deadlineMs) => routing.drain(app, ids, deadlineMs),
    },
  });

  const apps = new AppService(
    store,
    home,
    {
      destroyed: (app) => {
        cron.stop(app.name);
        metrics.forget(app.name);
        drains.forget(app.name);
        routing.forget(app.name);
        void certs.removeApp(app.name).catch((err: unknown) => process.stderr.write(`slipway: removing ${app.name}'s certificates: ${err instanceof Error ? err.message : String(err)}\n`));
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
    rates: routing.rates,
    keepUnpacked: settings.keepReleases,
    beforeDeploy: (app) => autoscaler.beforeDeploy(app),
    scalesToZero: (app) => scalesToZero(rules, apps.getApp(app).id),
    deployed: (app) => {
      metrics.deployed(app);
      cron.sync(app).catch((err: unknown) => logs.append(app, { source: 'platform', line: `cron: not scheduled: ${err instanceof Error ? err.message : String(err)}` }));
      autoscaler.deployed(app, isFunctionWebCommand(releases.current(apps.getApp(app).id)?.process_types.web));
    },
  });
  const autoscaler: Autoscaler = new Autoscaler({
    ops,
    appId: (name) => apps.getApp(name).id,
    rules,
    stats: () => routing.stats(),
    activation: (app) => routing.activation(app),
    route: (app) => routing.refresh(app),
    log: (app, line) => logs.append(app, { source: 'platform', line }),
    tickMs: settings.autoscaleTickMs,
  });
  routing.onWake((app) => autoscaler.wake(app));
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
  const drains: DrainService = new DrainService({ records: new DrainStore(db), logs });
  const metrics: Metrics = new Metrics({
    store: new MetricStore(db),
    apps: () => store.listApps().map((a) => a.name),
    instances: (app) => supervisor.ps(app),
    pids: (app) => supervisor.pids(app),
    daemon: () => {
      const b = buildStore.active();
      return { buildsRunning: b.running, buildsPending: b.pending, routerReloads: routing.router.reloads };
    },
    intervalMs: settings.metricsIntervalMs,
  });
  routing.onRouterLine((app, line) => metrics.routerLine(app, line));
  rmSync(path.join(home, 'builds'), { recursive: true, force: true });

  // git's pre-receive hook calls back into the API with a token that lives
  // only in this process and in the environment of git http-backend.
  const hook: HookEnv = { url: '', token: `slw_hook_${randomBytes(32).toString('base64url')}` };
  auth.addInternalToken(hook.token, 'git-hook');

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
      hasDeployed: (id) => releases.hasDeployed(id),
      create: (id, rel) => releases.createFromBuild(id, rel),
      deploy: (app, v, line) => ops.deploy(app, v, line),
      postdeploy: (app, v, line) => ops.postdeploy(app, v, line),
    },
    appLog: (app, line) => logs.append(app, { source: 'build', line }),
    webUrl,
    timeoutMs: settings.buildTimeoutMs,
    runtimes: { node: new NodeRuntimes({ dir: settings.runtimeCache, env: process.env, hostVersion: process.versions.node }), dir: settings.runtimeCache },
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
    drains,
    hook,
    config: new ConfigService(store),
    releases,
    stacks: new StackService(settings.stackCache),
    auth,
    // a session stands for its token: it lives exactly as long as the token does
    sessions: new Sessions(new SessionStore(db), (hash) => auth.principalByHash(hash) !== undefined),
    server: () => ({ version, api: urls.api, router: urls.router, ...(urls.routerTls ? { router_tls: urls.routerTls } : {}), domain: settings.domain }),
    certs,
    webUrl,
    route: (app) => routing.refresh(app),
    gitUrl: (name) => `${urls.api}/git/${name}.git`,
  });
  return { db, store, api, certs, routing, supervisor, ops, cron, autoscaler, logs, metrics, drains, version, urls, hook };
}

/** The state room's autoscale table as the autoscaler's RuleStore (a rule turned off keeps its figures). */
function autoscaleRules(rows: AutoscaleStore): RuleStore {
  return {
    enabled: () => rows.enabled().map((r) => ({ app: r.app, appId: r.app_id, type: r.type, rule: fromRow(r) })),
    get: (id, type) => {
      const r = rows.get(id, type);
      return r && { enabled: r.enabled === 1, rule: fromRow(r) };
    },
    set: (id, type, r) => rows.set(id, type, { min_q: r.min, max_q: r.max, concurrency: r.concurrency, idle_s: r.idleS, window_s: r.windowS }),
    disable: (id, type) => rows.disable(id, type),
  };
}

function fromRow(r: AutoscaleRow): AutoscaleRule {
  return { min: r.min_q, max: r.max_q, concurrency: r.concurrency, idleS: r.idle_s, windowS: r.window_s };
}
