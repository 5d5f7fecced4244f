import type { Driver } from '../runtime/driver.js';
import { SlipwayError } from '../lib/index.js';
import type { ExitInfo, Instance } from '../runtime/driver.js';
import { InstanceExitedError, instanceEnv, setupKey, Supervised } from './instance.js';
import { crashExcerpt } from './crash-output.js';
import { PortAllocator } from './ports.js';
import type { AppRuntime, InstanceView, RunnableRelease, SupervisorEvents, WebState, WebTarget } from './types.js';

export interface OneOffOptions {
  /** run.3, release.1, cron.ID… */
  name: string;
  /** Logged under this process name (default: name). */
  logAs?: string;
  command?: string;
  argv?: string[];
  stdin?: boolean;
  tty?: { cols: number; rows: number };
  env?: Record<string, string>;
  timeoutMs: number;
  onLine?(stream: 'stdout' | 'stderr', line: string): void;
  onData?(stream: 'stdout' | 'stderr', chunk: Buffer): void;
}

export interface SupervisorOptions {
  driver: Driver;
  events: SupervisorEvents;
  /** How long a new web instance has to accept connections before the deploy fails. */
  readyTimeoutMs?: number;
}

interface AppSlot {
  runtime: AppRuntime;
  current: RunnableRelease | undefined;
  instances: Set<Supervised>;
  /** Old instances still shutting down (shown by ps as draining). */
  leaving: Set<Supervised>;
  /** A deploy's new instances before traffic switches to them (shown by ps as starting). */
  arriving: Set<Supervised>;
  /** Old instances draining and stopping after a deploy; stopApp waits for them. */
  retiring: Promise<unknown>;
  /** web.1's sandbox, set up and waiting while the app is scaled to zero (see AppRuntime.parkWhenIdle). */
  parked: Supervised | undefined;
  queue: Promise<unknown>;
}

/**
 * Desired formation × current release → instances. Every change to one app
 * (deploy, scale, restart, stop) runs in that app's queue, one at a time.
 */
export class Supervisor {
  private readonly apps = new Map<string, AppSlot>();
  /** Running one-offs per app, by name (run.3, release.1, cron.backup.7). */
  private readonly oneOffs = new Map<string, Map<string, InstanceView>>();
  private readonly oneOffHandles = new Set<Instance>();
  private readonly ports = new PortAllocator();
  private readonly readyTimeoutMs: number;

  constructor(private readonly opts: SupervisorOptions) {
    this.readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
  }

  /** Starts the release's instances, waits until the web ones accept connections, switches traffic, stops the old ones. */
  deploy(app: AppRuntime, rel: RunnableRelease): Promise<void> {
    return this.exclusive(app, async (slot) => {
      const fresh = this.plan(app, rel).map((name) => this.instance(slot, app, rel, name));
      const hasPrevious = slot.current !== undefined;
      this.log(app.name, `Deploying v${rel.version}: ${formationLine(fresh.map((s) => s.type)) || 'no processes to run'}`);
      slot.arriving = new Set(fresh);
      try {
        // singleton workers that must never run twice (consumers, schedulers) stop before their successors start
        if (app.stopFirst) await this.retire(slot, [...slot.instances].filter((s) => !s.isWeb));
        const batch = app.batchSize && app.batchSize > 0 ? app.batchSize : fresh.length;
        const started: Supervised[] = [];
        for (let i = 0; i < fresh.length; i += batch) {
          try {
            await this.startAll(fresh.slice(i, i + batch), hasPrevious);
          } catch (err) {
            await Promise.all(started.map((s) => s.stop(2000, false)));
            throw err;
          }
          started.push(...fresh.slice(i, i + batch));
        }
      } finally {
        slot.arriving = new Set();
      }
      await this.swap(slot, fresh, rel);
      await this.syncParked(slot);
    });
  }

  /** Applies the app's formation to the running release: starts or stops instances of each type. */
  scale(app: AppRuntime): Promise<void> {
    return this.exclusive(app, async (slot) => {
      const rel = slot.current;
      if (!rel) return;
      const fresh: Supervised[] = [];
      const extra: Supervised[] = [];
      for (const type of new Set([...Object.keys(app.formation), ...[...slot.instances].map((s) => s.type)])) {
        const want = rel.processTypes[type] === undefined ? 0 : (app.formation[type]?.quantity ?? 0);
        const live = [...slot.instances].filter((s) => s.type === type).sort(byIndex);
        extra.push(...live.slice(want));
        const used = new Set(live.slice(0, want).map((s) => s.name));
        for (let i = 1; used.size < want; i++) {
          if (used.has(`${type}.${i}`)) continue;
          used.add(`${type}.${i}`);
          fresh.push(this.takeParked(slot, rel, `${type}.${i}`) ?? this.instance(slot, app, rel, `${type}.${i}`));
        }
      }
      for (const s of fresh) slot.instances.add(s);
      await Promise.all(fresh.map((s) => this.startSupervised(app.name, s)));
      await this.retire(slot, extra);
      await this.syncParked(slot);
    });
  }

  /** The parked sandbox, when it is this release's `name` and still waiting. */
  private takeParked(slot: AppSlot, rel: RunnableRelease, name: string): Supervised | undefined {
    const p = slot.parked;
    if (!p || p.name !== name || !p.isParked || p.setupKey !== setupKey(slot.runtime, rel, p.type)) return undefined;
    slot.parked = undefined;
    return p;
  }

  /**
   * While an app that scales to zero has no web instance, one sandbox for
   * web.1 of the current release waits at its gate: nothing of the app runs
   * in it, and a wake skips the sandbox set-up. Replaced on a new release,
   * ended once web runs again or the app stops.
   */
  private async syncParked(slot: AppSlot): Promise<void> {
    const rel = slot.current;
    const app = slot.runtime;
    const want = app.parkWhenIdle === true && rel !== undefined && rel.processTypes.web !== undefined && (app.formation.web?.quantity ?? 0) === 0 && ![...slot.instances].some((s) => s.isWeb);
    const p = slot.parked;
    if (p && (!want || !p.isParked || !rel || p.setupKey !== setupKey(app, rel, 'web'))) {
      slot.parked = undefined;
      await p.unpark();
    }
    if (!want || slot.parked || !rel) return;
    const s = this.instance(slot, app, rel, 'web.1');
    slot.parked = s;
    try {
      await s.park();
    } catch (err) {
      slot.parked = undefined;
      this.log(app.name, `Could not prepare a sandbox for the next wake (it will start from scratch): ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Replaces instances one by one (all, a type, or one like `web.2`): the new one is up before the old one stops. */
  restart(app: AppRuntime, which?: string): Promise<void> {
    return this.exclusive(app, async (slot) => {
      const rel = slot.current;
      if (!rel) return;
      const targets = [...slot.instances].filter((s) => !which || s.name === which || s.type === which).sort(byIndex);
      if (which && targets.length === 0) throw new SlipwayError('E_VALIDATION', `no process ${which} is running`, { hint: 'see `slipway ps`' });
      for (const old of targets) {
        const next = this.instance(slot, app, rel, old.name);
        await this.startAll([next], true);
        slot.instances.add(next);
        next.supervising = true;
        await this.retireInBackground(slot, [old]);
      }
    });
  }

  /** Stops everything of an app (destroy, or daemon shutdown). */
  stopApp(app: string, graceMs?: number): Promise<void> {
    const slot = this.apps.get(app);
    if (!slot) return Promise.resolve();
    return this.exclusive(slot.runtime, async () => {
      const parked = slot.parked;
      slot.parked = undefined;
      await parked?.unpark();
      await this.retire(slot, [...slot.instances], graceMs);
      await slot.retiring;
      this.apps.delete(app);
    });
  }

  /**
   * Starts a one-off instance of a release (same slug, config, sandbox and
   * user): the release phase, `run`, cron. It shows in ps while it runs and
   * is never touched by deploys: it finishes on its own release. Killed
   * (SIGTERM, then SIGKILL) past timeoutMs.
   */
  async startOneOff(app: AppRuntime, rel: RunnableRelease, o: OneOffOptions): Promise<Instance> {
    const name = o.name;
    const handle = await this.opts.driver.start(
      {
        id: `${app.name}-${name}-${Date.now().toString(36)}`.replace(/[^A-Za-z0-9_-]/g, '-'),
        command: o.command,
        argv: o.argv,
        stdin: o.stdin,
        tty: o.tty,
        env: { ...instanceEnv(rel.config, app.name, name, rel.version, undefined), ...(o.env ?? {}) },
        cwd: '/app',
        root: rel.dir,
        user: { uid: app.uid, gid: app.uid, name: `app-${app.name}`.slice(0, 32) },
        hostname: app.name,
        // one-offs, cron and the release phase get the web size unless their own type has one
        limits: { memoryMb: app.formation[name.split('.')[0] ?? '']?.memoryMb ?? app.formation.web?.memoryMb },
      },
      {
        onData: o.onData,
        onLine: (stream, line) => {
          o.onLine?.(stream, line);
          this.opts.events.log(app.name, { source: 'app', ps: o.logAs ?? name, release: `v${rel.version}`, line });
        },
      },
    );
    const view: InstanceView = { name, type: name.split('.')[0] ?? 'run', state: 'up', release: `v${rel.version}`, since: new Date().toISOString(), restarts: 0, command: o.argv ? o.argv.join(' ') : (o.command ?? ''), port: undefined };
    const oneOffs = this.oneOffs.get(app.name) ?? new Map<string, InstanceView>();
    this.oneOffs.set(app.name, oneOffs.set(name, view));
    const timer = setTimeout(() => {
      this.log(app.name, `${name} passed its time limit (${Math.round(o.timeoutMs / 1000)} s); stopping it`);
      void handle.stop(5000);
    }, o.timeoutMs);
    this.oneOffHandles.add(handle);
    void handle.exited.then(() => {
      clearTimeout(timer);
      oneOffs.delete(name);
      this.oneOffHandles.delete(handle);
    });
    return handle;
  }

  /** A one-off that the caller just waits for (the release phase). */
  async oneOff(app: AppRuntime, rel: RunnableRelease, o: OneOffOptions): Promise<ExitInfo> {
    return (await this.startOneOff(app, rel, o)).exited;
  }

  ps(app: string): InstanceView[] {
    const slot = this.apps.get(app);
    if (!slot) return [...(this.oneOffs.get(app)?.values() ?? [])];
    const oneOffs = [...(this.oneOffs.get(app)?.values() ?? [])];
    return [...[...slot.instances, ...slot.arriving, ...slot.leaving].sort(byIndex).map((s) => s.view()), ...oneOffs];
  }

  /** Host pids of the app's supervised instances (not one-offs), for memory and CPU per process type. */
  pids(app: string): { name: string; type: string; pid: number }[] {
    const slot = this.apps.get(app);
    if (!slot) return [];
    return [...slot.instances, ...slot.arriving, ...slot.leaving].flatMap((s) => (s.pid === undefined ? [] : [{ name: s.name, type: s.type, pid: s.pid }]));
  }

  current(app: string): number | undefined {
    return this.apps.get(app)?.current?.version;
  }

  /** Stops every instance and one-off (SIGTERM, SIGKILL after graceMs). */
  async shutdown(graceMs: number): Promise<void> {
    await Promise.all([...[...this.apps.keys()].map((a) => this.stopApp(a, graceMs)), ...[...this.oneOffHandles].map((h) => h.stop(graceMs))]);
  }

  private plan(app: AppRuntime, rel: RunnableRelease): string[] {
    const names: string[] = [];
    for (const [type, f] of Object.entries(app.formation)) {
      if (rel.processTypes[type] === undefined || type === 'release') continue;
      for (let i = 1; i <= f.quantity; i++) names.push(`${type}.${i}`);
    }
    return names;
  }

  private instance(slot: AppSlot, app: AppRuntime, rel: RunnableRelease, name: string): Supervised {
    const type = name.slice(0, name.lastIndexOf('.'));
    return new Supervised(name, {
      driver: this.opts.driver,
      events: this.opts.events,
      ports: this.ports,
      app,
      rel,
      checks: rel.healthchecks?.[type] ?? [],
      readyTimeoutMs: app.readyTimeoutMs ?? this.readyTimeoutMs,
      changed: () => void this.publish(slot),
    });
  }

  /** Starts instances and waits for the web ones; on any failure stops them all and throws with their last lines. */
  private async startAll(fresh: Supervised[], hasPrevious: boolean): Promise<void> {
    try {
      await Promise.all(fresh.map((s) => s.start()));
      await Promise.all(fresh.filter((s) => s.isWeb).map((s) => s.ready()));
    } catch (err) {
      await Promise.all(fresh.map((s) => s.stop(2000, false)));
      throw deployError(err, fresh, { hasPrevious, readyTimeoutMs: fresh[0]?.readyTimeoutMs ?? this.readyTimeoutMs });
    }
  }

  /** For scaling: a failure to become ready is logged and left to crash supervision, not thrown. */
  private async startSupervised(app: string, s: Supervised): Promise<void> {
    s.supervising = true;
    await s.start();
    if (s.isWeb) await s.ready().catch((e: Error) => this.log(app, e.message));
  }

  /**
   * Switches traffic to the new instances; the old ones drain and stop in the
   * background (ps shows them draining), so a deploy is done — and the next
   * one, or a rollback, can start — as soon as the new release serves.
   */
  private async swap(slot: AppSlot, fresh: Supervised[], rel: RunnableRelease): Promise<void> {
    const old = [...slot.instances];
    slot.instances = new Set(fresh);
    slot.current = rel;
    for (const s of fresh) s.supervising = true;
    await this.retireInBackground(slot, old);
  }

  /** Publishes without the old instances, then drains and stops them without holding the app's queue. */
  private async retireInBackground(slot: AppSlot, old: Supervised[]): Promise<void> {
    for (const s of old) {
      slot.instances.delete(s);
      slot.leaving.add(s);
      if (s.isWeb && s.state === 'up') s.draining = true;
    }
    await this.publish(slot);
    const done = this.finishRetiring(slot, old, slot.runtime.graceMs);
    slot.retiring = slot.retiring.then(() => done);
    void done.catch((e: Error) => this.log(slot.runtime.name, `Stopping old instances failed: ${e.message}`));
  }

  /**
   * Like a load balancer's deregistration: the router stops sending new
   * requests to the old web instances (drain) while in-flight ones finish, up
   * to the drain deadline; then they leave the pool and get SIGTERM (SIGKILL
   * after the grace period).
   */
  private async retire(slot: AppSlot, old: Supervised[], graceMs = slot.runtime.graceMs): Promise<void> {
    for (const s of old) {
      slot.instances.delete(s);
      slot.leaving.add(s);
      if (s.isWeb && s.state === 'up') s.draining = true;
    }
    await this.publish(slot);
    await this.finishRetiring(slot, old, graceMs);
  }

  private async finishRetiring(slot: AppSlot, old: Supervised[], graceMs: number): Promise<void> {
    await this.drain(slot, old.filter((s) => s.draining));
    for (const s of old) s.draining = false;
    await this.publish(slot);
    await Promise.all(old.map((s) => s.stop(graceMs)));
    for (const s of old) slot.leaving.delete(s);
  }

  private async drain(slot: AppSlot, web: Supervised[]): Promise<void> {
    const drain = this.opts.events.drain;
    if (!drain || web.length === 0) return;
    const left = await drain(slot.runtime.name, web.map((s) => s.id), slot.runtime.drainMs ?? 30_000).catch(() => 0);
    if (left > 0) this.log(slot.runtime.name, `Drain deadline passed with ${left} request(s) still in flight; stopping the old instances`);
  }

  private async publish(slot: AppSlot): Promise<void> {
    const web = [...slot.instances].filter((s) => s.isWeb);
    const ready: WebTarget[] = web.filter((s) => s.state === 'up' && s.port !== undefined).map((s) => ({ id: s.id, host: '127.0.0.1', port: s.port as number, state: 'ready' }));
    const draining: WebTarget[] = [...slot.leaving].filter((s) => s.draining && s.port !== undefined).map((s) => ({ id: s.id, host: '127.0.0.1', port: s.port as number, state: 'draining' }));
    const state = webState(web, slot.runtime);
    const reason = state === 'crashed' ? web.find((s) => s.state === 'crashed')?.lastExit : undefined;
    await this.opts.events.publish(slot.runtime.name, { targets: [...ready, ...draining], state, reason });
  }

  private exclusive<T>(app: AppRuntime, fn: (slot: AppSlot) => Promise<T>): Promise<T> {
    let slot = this.apps.get(app.name);
    if (!slot) {
      slot = { runtime: app, current: undefined, instances: new Set(), leaving: new Set(), arriving: new Set(), retiring: Promise.resolve(), queue: Promise.resolve(), parked: undefined };
      this.apps.set(app.name, slot);
    }
    slot.runtime = app;
    const s = slot;
    const run = s.queue.then(() => fn(s));
    s.queue = run.catch(() => undefined);
    return run;
  }

  private log(app: string, line: string): void {
    this.opts.events.log(app, { source: 'platform', line });
  }
}

function webState(web: Supervised[], app: AppRuntime): WebState {
  if (web.some((s) => s.state === 'up')) return 'running';
  if (web.some((s) => s.state === 'starting')) return 'starting';
  if (web.some((s) => s.state === 'crashed')) return 'crashed';
  return (app.formation.web?.quantity ?? 0) > 0 ? 'idle' : 'stopped';
}

const byIndex = (a: Supervised, b: Supervised): number => a.type.localeCompare(b.type) || Number(a.name.split('.').pop()) - Number(b.name.split('.').pop());

/** `web=2 worker=1`, the form `ps:scale` accepts. */
export function formationLine(types: string[]): string {
  const counts = new Map<string, number>();
  for (const t of types) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts].map(([t, n]) => `${t}=${n}`).join(' ');
}

/**
 * Why new instances did not come up, with each one's own output from its
 * start (crashExcerpt), and a hint that matches the cause: a crash on start
 * or a web process that never listened. "The previous release keeps running"
 * only when there is one.
 */
function deployError(err: unknown, fresh: Supervised[], o: { hasPrevious: boolean; readyTimeoutMs: number }): SlipwayError {
  const reason = err instanceof Error ? err.message : String(err);
  const outputs = fresh.filter((s) => s.bootOutput.length > 0).map((s) => `output of ${s.name} since it started:\n${crashExcerpt(s.bootOutput).map((l) => `  ${l}`).join('\n')}`);
  const cause = err instanceof InstanceExitedError ? 'the app exited while starting: its own output above says why' : `web processes must listen on $PORT within ${o.readyTimeoutMs / 1000} s`;
  return new SlipwayError('E_DEPLOY_FAILED', [reason, ...outputs].join('\n'), {
    hint: o.hasPrevious ? `${cause}; the previous release keeps running` : cause,
  });
}
