import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { isIP, isIPv6 } from 'node:net';
import os from 'node:os';
import { freePort, SlipwayError, writeFileAtomic } from '../lib/index.js';
import { AccessLogListener } from './access-log.js';
import { Activator } from './activator.js';
import { BackendPool, type PoolBackend } from './backends.js';
import { ERRORFILE_PAGES, KEEPALIVE_MS, haproxyConfig, mapFile, runPaths, type RunPaths } from './config.js';
import { checkConfig, findHaproxy, HaproxyProcess } from './haproxy-process.js';
import { PAGES, renderErrorfile, renderPage, type PageName } from './pages.js';
import { runCommands, showProc, workerCommand, workerCommands } from './runtime-api.js';
import { applyCert, CERT_ID_RULE, crtListFile, dropCert, ensureDefaultCert } from './tls.js';
import { planSlots, slotCommands, targetAt, type SlotTable, type SlotTarget } from './slots.js';
import { appStats, indexStats, parseShowStat } from './stats.js';
import { checkAppName, checkTarget, normalizeHost, type AppRoute, type AppStats, type RouterOptions } from './types.js';

/** How often waiting drains look at HAProxy's in-flight counters (one `show stat` per worker). */
const DRAIN_POLL_MS = 100;

/** How a change reached HAProxy: at once through the runtime API (or only the files), or it needs a reload. */
type Applied = 'done' | 'reload';

interface AppEntry {
  hosts: string[];
  state: AppRoute['state'];
  be: PoolBackend;
  httpsRedirect: boolean;
}

/**
 * Control side of the HAProxy data plane. Desired state lives here and is
 * written whole to haproxy.cfg and map files on every change, then applied to
 * the running HAProxy through its runtime API: a new app takes a spare
 * backend HAProxy already has (see backends.ts), so app lifecycle needs no
 * reload. Reloads (more spares, more slots than a backend has) are hitless
 * master-worker reloads, coalesced, and only awaited by a change that cannot
 * be served without one. All changes go through one queue so they never interleave.
 */
export class Router {
  private readonly apps = new Map<string, AppEntry>();
  private readonly pool = new BackendPool();
  private readonly paths: RunPaths;
  private readonly domain: string;
  private proc: HaproxyProcess | undefined;
  private logs: AccessLogListener | undefined;
  private bin = '';
  private port = 0;
  private logPort = 0;
  private readonly logTag = `slw${randomBytes(12).toString('hex')}`;
  private queue: Promise<unknown> = Promise.resolve();
  /** What the running HAProxy holds: backend → slot count, host → backend, backend → state. */
  private live = { backends: new Map<string, number>(), hosts: new Map<string, string>(), states: new Map<string, string>(), redirect: new Map<string, string>(), acme: new Map<string, string>(), certs: new Set<string>() };
  /** Certificate id → PEM (chain + key); ACME token → key authorization. */
  private readonly certs = new Map<string, string>();
  private readonly acme = new Map<string, string>();
  private tlsPort = 0;
  /** A runtime change failed halfway: the next change reloads from the files instead of trusting `live`. */
  private stale = false;
  private pendingReload: Promise<void> | undefined;
  private lastReloadAt = 0;
  /** HAProxy reloads since start (a Prometheus counter). */
  reloads = 0;
  private reloadRunning = false;
  private stopped = false;
  private activator: Activator | undefined;
  private activatorPort = 0;
  /** Drains waiting for their targets' in-flight requests to finish (see drain()). */
  private readonly drains = new Set<{ app: string; ids: string[]; deadline: number; resolve: (inflight: number) => void }>();
  private drainTick: NodeJS.Timeout | undefined;

  constructor(private readonly opts: RouterOptions) {
    this.paths = runPaths(opts.runDir);
    this.domain = normalizeHost(opts.domain);
  }

  /** Starts HAProxy (supervised, restarted if it dies) with every app set so far. */
  async start(): Promise<{ url: string; port: number; tlsUrl?: string; tlsPort?: number }> {
    this.bin = findHaproxy(this.opts.haproxyBin);
    mkdirSync(this.paths.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.paths.dir, 0o700);
    writePages(this.paths);
    const tls = this.opts.tlsListen;
    if (tls) {
      await ensureDefaultCert(this.paths);
      for (const [id, pem] of this.certs) writeFileAtomic(this.paths.certFile(id), pem, 0o600);
    }
    this.logs = new AccessLogListener({ tag: this.logTag, onRouterLog: this.opts.onRouterLog, appFor: (be) => this.pool.appOf(be), dynoFor: (app, slot) => targetAt(this.pool.of(app)?.table, slot)?.id });
    this.logPort = await this.logs.start();
    try {
      await this.startActivator();
      this.port = this.opts.listen.port || (await freePort(this.opts.listen.host));
      // two port-0 picks in a row can return the same free port
      if (tls) do this.tlsPort = tls.port || (await freePort(tls.host)); while (this.tlsPort === this.port);
      await this.enqueue(async () => {
        this.pool.grow();
        await this.writeCheckedFiles();
        const proc = new HaproxyProcess({ bin: this.bin, paths: this.paths, onRestarted: () => this.reloadSoon('after haproxy restarted') });
        await proc.start();
        this.proc = proc;
        this.markLoaded();
      });
    } catch (err) {
      await this.logs.stop();
      await this.activator?.stop();
      throw err;
    }
    const h = this.opts.listen.host;
    const url = `http://${isIPv6(h) ? `[${h}]` : h}:${this.port}`;
    if (!tls) return { url, port: this.port };
    return { url, port: this.port, tlsUrl: `https://${isIPv6(tls.host) ? `[${tls.host}]` : tls.host}:${this.tlsPort}`, tlsPort: this.tlsPort };
  }

  /**
   * Serves a certificate (PEM chain + key) for the names it covers, or
   * replaces the one with this id (a renewal). Through the runtime API: no
   * reload, no connection dropped.
   */
  setCert(id: string, pem: string): Promise<void> {
    if (!CERT_ID_RULE.test(id)) throw new SlipwayError('E_VALIDATION', `router: certificate id ${JSON.stringify(id)} is not valid`);
    return this.change(async () => {
      this.certs.set(id, pem);
      if (!this.proc || !this.opts.tlsListen) return 'done'; // start() writes it
      writeFileAtomic(this.paths.certFile(id), pem, 0o600);
      this.writeFiles();
      if (!this.proc.up || this.stopped || this.stale) return this.proc.up ? 'reload' : 'done';
      return this.runtime(async () => {
        await applyCert(this.paths, id, pem, this.live.certs.has(id));
        this.live.certs.add(id);
      });
    });
  }

  removeCert(id: string): Promise<void> {
    return this.change(async () => {
      if (!this.certs.delete(id)) return 'done';
      if (!this.proc || !this.opts.tlsListen) return 'done';
      this.writeFiles();
      const live = this.live.certs.has(id);
      const out: Applied = !this.proc.up || this.stopped ? 'done' : this.stale ? 'reload' : live ? await this.runtime(async () => {
        await dropCert(this.paths, id);
        this.live.certs.delete(id);
      }) : 'done';
      rmSync(this.paths.certFile(id), { force: true });
      return out;
    });
  }

  /** ACME HTTP-01: answers /.well-known/acme-challenge/TOKEN with the key authorization (undefined: stop). */
  setChallenge(token: string, keyAuth: string | undefined): Promise<void> {
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(token) || (keyAuth !== undefined && !/^[A-Za-z0-9_.-]{1,400}$/.test(keyAuth))) {
      throw new SlipwayError('E_VALIDATION', 'router: an ACME token and key authorization are base64url');
    }
    return this.change(async () => {
      if (keyAuth === undefined) this.acme.delete(token);
      else this.acme.set(token, keyAuth);
      return this.applyMaps();
    });
  }

  /** Runs a runtime change; when it fails HAProxy is brought back to the files by a reload. */
  private async runtime(fn: () => Promise<void>): Promise<Applied> {
    try {
      await fn();
      return 'done';
    } catch (err) {
      this.stale = true;
      this.reloadSoon('after a failed runtime change');
      throw err;
    }
  }

  /** Map-only changes (redirects, ACME challenges): at once through the runtime API. */
  private async applyMaps(): Promise<Applied> {
    if (!this.proc) return 'done';
    this.writeFiles();
    if (!this.proc.up || this.stopped) return 'done';
    if (this.stale) return 'reload';
    const cmds = this.mapCommands();
    await this.runtime(() => runCommands(this.paths.adminSock, cmds));
    this.markMapsLive();
    return 'done';
  }

  /**
   * Routes APP.DOMAIN and `route.hosts` to the app's targets. Changing the
   * targets of an app already routed is hitless and needs no reload.
   */
  setApp(app: string, route: AppRoute): Promise<void> {
    checkAppName(app);
    const hosts = [...new Set([`${app}.${this.domain}`, ...route.hosts.map(normalizeHost)])];
    for (const t of route.targets) checkTarget(app, t);
    const ready = route.targets.filter((t) => t.state === 'ready');
    // Held requests go on to a ready target at once, before HAProxy itself is told.
    this.activator?.update(app, { enabled: route.activate === true, ready: ready.map((t) => ({ host: t.host, port: t.port })), state: route.state, reason: route.reason });
    const all = [...route.targets];
    if (route.activate && this.activatorPort && ready.length === 0 && route.state !== 'crashed') all.push({ id: 'activator', host: '127.0.0.1', port: this.activatorPort, state: 'ready' });
    return this.change(async () => {
      const targets = await Promise.all(all.map(async (t): Promise<SlotTarget> => ({ id: t.id, addr: await resolveIp(t.host), port: t.port, state: t.state })));
      const be = this.pool.take(app, (name) => this.live.backends.has(name));
      const before = be.table;
      be.table = planSlots(before, targets);
      this.apps.set(app, { hosts, state: route.state, be, httpsRedirect: route.httpsRedirect === true });
      const applied = await this.apply(be.name, before, be.table);
      this.growSoon();
      return applied;
    });
  }

  /** Stops routing the app's hosts at once (404); its backend goes back to the pool of spares, emptied. */
  removeApp(app: string): Promise<void> {
    this.activator?.update(app, undefined);
    return this.change(async () => {
      const freed = this.pool.release(app);
      this.apps.delete(app);
      if (!freed) return 'done';
      if (!this.live.backends.has(freed.be.name)) {
        if (this.proc) this.writeFiles(); // never reached HAProxy: nothing to undo there
        return 'done';
      }
      return this.apply(freed.be.name, freed.before, freed.be.table);
    });
  }

  /** In-flight requests and rate per app and per target id (in-flight summed over old workers still finishing after a reload). */
  async stats(): Promise<Record<string, AppStats>> {
    if (!this.proc?.up) return {};
    const w = await showProc(this.paths.masterSock);
    const pids = [...w.current, ...w.old];
    const rows = await Promise.all(pids.map(async (pid) => indexStats(parseShowStat(await workerCommand(this.paths.masterSock, pid, 'show stat -1 6 -1')))));
    const current = rows[0] ?? new Map();
    const out: Record<string, AppStats> = {};
    for (const [app, e] of this.apps) {
      const s = appStats(e.be.name, e.be.table, current, rows);
      // what the activator passed on during a wake is in flight to the target too (HAProxy counts it under the activator)
      for (const t of e.be.table.slots) {
        const extra = t && t.id !== 'activator' ? (this.activator?.inflightTo(t.addr, t.port) ?? 0) : 0;
        const ts = t && s.targets[t.id];
        if (ts && extra) ts.inflight += extra;
      }
      out[app] = s;
    }
    return out;
  }

  /**
   * Resolves once the app's requests (and tunnels) in flight to these targets
   * reach zero, or at the deadline, with how many were still in flight then.
   * Call it after the targets were set `draining` (no new requests). Every
   * drain waiting at a time shares one look at HAProxy's counters per tick.
   */
  drain(app: string, targetIds: string[], deadlineMs: number): Promise<number> {
    if (targetIds.length === 0) return Promise.resolve(0);
    return new Promise((resolve) => {
      this.drains.add({ app, ids: targetIds, deadline: Date.now() + deadlineMs, resolve });
      this.drainTick ??= setTimeout(() => void this.checkDrains(), 0);
    });
  }

  private async checkDrains(): Promise<void> {
    const stats = await this.stats().catch(() => ({}) as Record<string, AppStats>);
    const now = Date.now();
    for (const d of this.drains) {
      const targets = stats[d.app]?.targets ?? {};
      const n = d.ids.reduce((sum, id) => sum + (targets[id]?.inflight ?? 0), 0);
      if (n === 0 || now >= d.deadline || this.stopped) {
        this.drains.delete(d);
        d.resolve(n);
      }
    }
    this.drainTick = this.drains.size ? setTimeout(() => void this.checkDrains(), DRAIN_POLL_MS) : undefined;
  }

  /** Lets a change in progress finish, then stops HAProxy (in-flight requests get up to 5 s). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.queue;
    await this.proc?.stop();
    await this.logs?.stop();
    await this.activator?.stop();
  }

  /** Requests the activator holds for the app, and whether it is waking. */
  activation(app: string): { held: number; waking: boolean } {
    return this.activator?.holding(app) ?? { held: 0, waking: false };
  }

  /** A wake that could not begin: the held requests get 503 with the reason. */
  wakeFailed(app: string, reason: string): void {
    this.activator?.wakeFailed(app, reason);
  }

  private async startActivator(): Promise<void> {
    const o = this.opts.activator;
    if (!o) return;
    this.activator = new Activator({
      maxQueue: o.maxQueue ?? 100,
      maxWaitMs: o.maxWaitMs ?? Math.min(25_000, (this.opts.requestTimeoutMs ?? 30_000) - 1000),
      appFor: (host) => this.appForHost(host),
      wake: (app) => o.wake(app),
      event: (app, line) => o.event(app, line),
    });
    this.activatorPort = await this.activator.start();
  }

  private appForHost(header: string): string | undefined {
    const h = header.trim().toLowerCase().replace(/:[0-9]+$/, '').replace(/\.$/, '');
    for (const [app, e] of this.apps) if (e.hosts.includes(h)) return app;
    return undefined;
  }

  /** The pid of HAProxy's master, for tests and diagnostics. */
  get haproxyPid(): number | undefined {
    return this.proc?.pid;
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Runs a change in the queue; one that needs a reload waits for it outside
   * the queue, so a burst of new apps (a daemon start) shares one reload.
   */
  private async change(fn: () => Promise<Applied>): Promise<void> {
    if ((await this.enqueue(fn)) === 'reload') await this.scheduleReload();
  }

  private scheduleReload(): Promise<void> {
    this.pendingReload ??= this.enqueue(async () => {
      this.pendingReload = undefined;
      await this.reload();
    });
    return this.pendingReload;
  }

  /** Files first (so a restart or reload serves the new state), then the running HAProxy. */
  private async apply(be: string, prev: SlotTable | undefined, next: SlotTable): Promise<Applied> {
    if (!this.proc) return 'done'; // not started: start() writes everything set so far
    this.writeFiles();
    // Restarting (it reads the files and reloads once back), or stopped.
    if (!this.proc.up || this.stopped) return 'done';
    const loaded = this.live.backends.get(be);
    if (this.stale || loaded === undefined || loaded < next.slots.length) return 'reload';
    // No previous table (an app removed and set again while its backend is still loaded): set every slot.
    const cmds = [...slotCommands(be, prev, next), ...this.mapCommands()];
    try {
      await runCommands(this.paths.adminSock, cmds);
    } catch (err) {
      // Part of the batch may have applied: HAProxy is brought back to the files by a reload.
      this.stale = true;
      this.reloadSoon('after a failed runtime change');
      throw err;
    }
    if (cmds.length) await this.updateOldWorkers(cmds);
    this.markMapsLive();
    return 'done';
  }

  /** Spares running low: more are added to the files now and loaded by a reload nobody waits for. */
  private growSoon(): void {
    if (!this.proc || !this.pool.needsGrowth()) return;
    if (this.pool.grow()) this.reloadSoon('to add spare backends');
  }

  /** A reload nobody waits for; its failure is reported, not lost. */
  private reloadSoon(why: string): void {
    this.scheduleReload().catch((err: unknown) => process.stderr.write(`router: reload ${why} failed: ${err instanceof Error ? err.message : String(err)}\n`));
  }

  private async reload(): Promise<void> {
    if (!this.proc?.up || this.stopped) return;
    this.reloadRunning = true;
    try {
      await this.writeCheckedFiles();
      this.lastReloadAt = Date.now();
      this.reloads++;
      await this.proc.reload();
      this.markLoaded();
    } finally {
      this.reloadRunning = false;
    }
  }

  /** A reload is waiting or running (they happen in the background; tests and benches wait for quiet). */
  get reloading(): boolean {
    return this.pendingReload !== undefined || this.reloadRunning;
  }

  /**
   * After a reload the old worker still answers one last request on each idle
   * keep-alive connection (for up to the keep-alive timeout). It gets the same
   * changes, so such a request never goes to a target that was just removed
   * and stopped. Best effort: it may lack newer backends and slots.
   */
  private async updateOldWorkers(cmds: string[]): Promise<void> {
    if (Date.now() - this.lastReloadAt > KEEPALIVE_MS + 10_000) return;
    try {
      const { old } = await showProc(this.paths.masterSock);
      await Promise.all(old.map((pid) => workerCommands(this.paths.masterSock, pid, cmds)));
    } catch (err) {
      // The current worker has the change; an old one that just exited is no loss.
      process.stderr.write(`router: could not update an old haproxy worker: ${(err as Error).message}\n`);
    }
  }

  /** After a start or reload HAProxy holds exactly what the files said. */
  private markLoaded(): void {
    this.stale = false;
    this.live.backends = new Map(this.pool.all().map((b) => [b.name, b.table.slots.length]));
    this.live.certs = new Set(this.opts.tlsListen ? this.certs.keys() : []);
    this.markMapsLive();
  }

  private markMapsLive(): void {
    this.live.hosts = this.desiredHosts(true);
    this.live.states = this.desiredStates(true);
    this.live.redirect = this.desiredRedirects();
    this.live.acme = new Map(this.acme);
  }

  private desiredRedirects(): Map<string, string> {
    const m = new Map<string, string>();
    if (!this.opts.tlsListen) return m;
    for (const e of this.apps.values()) if (e.httpsRedirect) for (const h of e.hosts) m.set(h, '1');
    return m;
  }

  /** host → backend; `loadedOnly`: only backends HAProxy has (the runtime maps must not point at one it lacks). */
  private desiredHosts(loadedOnly = false): Map<string, string> {
    const m = new Map<string, string>();
    // First app to claim a host keeps it; the apps room keeps domains unique anyway.
    for (const e of this.apps.values()) {
      if (loadedOnly && !this.live.backends.has(e.be.name)) continue;
      for (const h of e.hosts) if (!m.has(h)) m.set(h, e.be.name);
    }
    return m;
  }

  private desiredStates(loadedOnly = false): Map<string, string> {
    return new Map([...this.apps.values()].filter((e) => !loadedOnly || this.live.backends.has(e.be.name)).map((e) => [e.be.name, e.state]));
  }

  /** add/set/del map commands that turn the live maps into the desired ones. */
  private mapCommands(): string[] {
    const diff = (file: string, live: Map<string, string>, want: Map<string, string>): string[] => [
      ...[...want].filter(([k, v]) => live.get(k) !== v).map(([k, v]) => `${live.has(k) ? 'set' : 'add'} map ${file} ${k} ${v}`),
      ...[...live.keys()].filter((k) => !want.has(k)).map((k) => `del map ${file} ${k}`),
    ];
    return [
      ...diff(this.paths.statesMap, this.live.states, this.desiredStates(true)),
      ...diff(this.paths.hostsMap, this.live.hosts, this.desiredHosts(true)),
      ...diff(this.paths.redirectMap, this.live.redirect, this.desiredRedirects()),
      ...diff(this.paths.acmeMap, this.live.acme, this.acme),
    ];
  }

  /** Before a start or reload: the new config must parse, else the one in place (and running) stays. */
  private async writeCheckedFiles(): Promise<void> {
    const next = `${this.paths.cfg}.next`;
    this.writeFiles(next);
    await checkConfig(this.bin, next);
    renameSync(next, this.paths.cfg);
  }

  /**
   * Not fsynced: they are written whole from the desired state at every
   * start, and six fsyncs per change held the daemon's event loop for
   * milliseconds on every scale and deploy (the requests a wake held, too).
   */
  private writeFiles(cfgFile = this.paths.cfg): void {
    const fast = { durable: false };
    writeFileAtomic(this.paths.hostsMap, mapFile(this.desiredHosts()), 0o600, fast);
    writeFileAtomic(this.paths.statesMap, mapFile(this.desiredStates()), 0o600, fast);
    writeFileAtomic(this.paths.redirectMap, mapFile(this.desiredRedirects()), 0o600, fast);
    writeFileAtomic(this.paths.acmeMap, mapFile(this.acme), 0o600, fast);
    if (this.opts.tlsListen) writeFileAtomic(this.paths.crtList, crtListFile(this.paths, this.certs.keys()), 0o600, fast);
    const backends = this.pool.all().map((b) => ({ name: b.name, table: b.table }));
    const cfg = haproxyConfig({
      paths: this.paths,
      listen: { host: this.opts.listen.host, port: this.port },
      logPort: this.logPort,
      logTag: this.logTag,
      requestTimeoutMs: this.opts.requestTimeoutMs ?? 30_000,
      dropPrivileges: process.getuid?.() === 0,
      threads: this.opts.threads ?? Math.max(1, Math.floor(os.availableParallelism() / 2)),
      retrySafeRequests: this.opts.retrySafeRequests ?? true,
      tls: this.opts.tlsListen && { host: this.opts.tlsListen.host, port: this.tlsPort },
      backends,
    });
    writeFileAtomic(cfgFile, cfg, 0o600, fast);
  }
}

function writePages(paths: RunPaths): void {
  mkdirSync(`${paths.dir}/pages`, { recursive: true, mode: 0o700 });
  for (const name of Object.keys(PAGES) as PageName[]) writeFileSync(paths.pageBody(name), renderPage(PAGES[name]));
  for (const name of ERRORFILE_PAGES) writeFileSync(paths.errorfile(name), renderErrorfile(PAGES[name]));
}

async function resolveIp(host: string): Promise<string> {
  return isIP(host) ? host : (await lookup(host)).address;
}


