import { SlipwayError } from '../lib/index.js';
import type { Driver, ExitInfo, Instance } from '../runtime/driver.js';
import { byIndex, newSlot, publish, type AppSlot } from './app-slot.js';
import { Supervised } from './instance.js';
import { OneOffs, type OneOffOptions } from './one-offs.js';
import { syncParked, takeParked, unparkAll } from './parking.js';
import { PortAllocator } from './ports.js';
import { typeOf } from './process-spec.js';
import { retire, retireInBackground } from './retire.js';
import { plan, rollout, startAll } from './rollout.js';
import type { AppRuntime, InstanceView, RunnableRelease, SupervisorEvents } from './types.js';

export type { OneOffOptions } from './one-offs.js';

export interface SupervisorOptions {
  driver: Driver;
  events: SupervisorEvents;
  /** How long a new web instance has to accept connections before the deploy fails. */
  readyTimeoutMs?: number;
}

/**
 * Desired formation × current release → instances. Every change to one app
 * (deploy, scale, restart, stop) runs in that app's queue, one at a time.
 * The steps live beside it: rollout.ts (a deploy and its undo), retire.ts
 * (drain and stop), parking.ts (the sandbox kept for a wake), one-offs.ts,
 * restart-policy.ts (crash backoff, applied by each Supervised instance).
 */
export class Supervisor {
  private readonly apps = new Map<string, AppSlot>();
  private readonly oneOffs: OneOffs;
  private readonly ports = new PortAllocator();
  private readonly readyTimeoutMs: number;

  constructor(private readonly opts: SupervisorOptions) {
    this.readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
    this.oneOffs = new OneOffs(opts.driver, opts.events);
  }

  /** Starts the release's instances, waits until the web ones accept connections, switches traffic, stops the old ones. */
  deploy(app: AppRuntime, rel: RunnableRelease): Promise<void> {
    return this.exclusive(app, async (slot) => {
      const fresh = plan(app, rel).map((name) => this.instance(slot, rel, name));
      this.log(app.name, `Deploying v${rel.version}: ${formationLine(fresh.map((s) => s.type)) || 'no processes to run'}`);
      await rollout(slot, fresh, rel, this.opts.events);
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
          fresh.push(takeParked(slot, rel, `${type}.${i}`) ?? this.instance(slot, rel, `${type}.${i}`));
        }
      }
      for (const s of fresh) slot.instances.add(s);
      await Promise.all(fresh.map((s) => this.startSupervised(app.name, s)));
      await retire(slot, extra, this.opts.events);
      await this.syncParked(slot);
    });
  }

  /** Replaces instances one by one (all, a type, or one like `web.2`): the new one is up before the old one stops. */
  restart(app: AppRuntime, which?: string): Promise<void> {
    return this.exclusive(app, async (slot) => {
      const rel = slot.current;
      if (!rel) return;
      const targets = [...slot.instances].filter((s) => !which || s.name === which || s.type === which).sort(byIndex);
      if (which && targets.length === 0) throw new SlipwayError('E_VALIDATION', `no process ${which} is running`, { hint: 'see `slipway ps`' });
      for (const old of targets) {
        const next = this.instance(slot, rel, old.name);
        await startAll([next], true);
        slot.instances.add(next);
        next.supervise();
        await retireInBackground(slot, [old], this.opts.events);
      }
    });
  }

  /** Stops everything of an app (destroy, or daemon shutdown). */
  stopApp(app: string, graceMs?: number): Promise<void> {
    const slot = this.apps.get(app);
    if (!slot) return Promise.resolve();
    return this.exclusive(slot.runtime, async () => {
      await unparkAll(slot);
      await retire(slot, [...slot.instances], this.opts.events, graceMs);
      await slot.retiring;
      this.apps.delete(app);
    });
  }

  /** A one-off instance of a release (release phase, `run`, cron); see one-offs.ts. */
  startOneOff(app: AppRuntime, rel: RunnableRelease, o: OneOffOptions): Promise<Instance> {
    return this.oneOffs.start(app, rel, o);
  }

  /** A one-off that the caller just waits for (the release phase). */
  oneOff(app: AppRuntime, rel: RunnableRelease, o: OneOffOptions): Promise<ExitInfo> {
    return this.oneOffs.run(app, rel, o);
  }

  ps(app: string): InstanceView[] {
    const slot = this.apps.get(app);
    const supervised = slot ? [...slot.instances, ...slot.arriving, ...slot.leaving].sort(byIndex).map((s) => s.view()) : [];
    return [...supervised, ...this.oneOffs.list(app)];
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
    await Promise.all([...[...this.apps.keys()].map((a) => this.stopApp(a, graceMs)), this.oneOffs.shutdown(graceMs)]);
  }

  private instance(slot: AppSlot, rel: RunnableRelease, name: string): Supervised {
    const app = slot.runtime;
    return new Supervised(name, {
      driver: this.opts.driver,
      events: this.opts.events,
      ports: this.ports,
      app,
      rel,
      checks: rel.healthchecks?.[typeOf(name)] ?? [],
      readyTimeoutMs: app.readyTimeoutMs ?? this.readyTimeoutMs,
      changed: () => void publish(slot, this.opts.events),
    });
  }

  private syncParked(slot: AppSlot): Promise<void> {
    return syncParked(slot, () => this.instance(slot, slot.current as RunnableRelease, 'web.1'), (line) => this.log(slot.runtime.name, line));
  }

  /** For scaling: a failure to become ready is logged and left to crash supervision, not thrown. */
  private async startSupervised(app: string, s: Supervised): Promise<void> {
    s.supervise();
    await s.start();
    if (s.isWeb) await s.ready().catch((e: Error) => this.log(app, e.message));
  }

  private exclusive<T>(app: AppRuntime, fn: (slot: AppSlot) => Promise<T>): Promise<T> {
    let slot = this.apps.get(app.name);
    if (!slot) {
      slot = newSlot(app);
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

/** `web=2 worker=1`, the form `ps:scale` accepts. */
export function formationLine(types: string[]): string {
  const counts = new Map<string, number>();
  for (const t of types) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts].map(([t, n]) => `${t}=${n}`).join(' ');
}
