import { SlipwayError } from '../lib/index.js';
import { appJsonFormation, ensureUnpacked, pruneUnpacked, type ReleaseRow, type ReleaseService } from '../releases/index.js';
import { ReleaseGuard, type RequestWindow } from './guard.js';
import { formationLine, type Supervisor } from './supervisor.js';
import type { AppRuntime, InstanceView, RunnableRelease } from './types.js';

export interface FormationEntry {
  type: string;
  quantity: number;
  memory_mb: number | null;
}

/** What operations need from the rest of the platform (wired by the daemon). */
export interface OperationsDeps {
  home: string;
  supervisor: Supervisor;
  releases: ReleaseService;
  app(name: string): OpsApp;
  allApps(): OpsApp[];
  formation: { get(appId: number): FormationEntry[]; set(appId: number, rows: { type: string; quantity?: number; memory_mb?: number | null }[]): void };
  log(app: string, line: string): void;
  /** The router's per-app request outcomes, which the post-release guard compares. */
  rates: RequestWindow;
  graceMs?: number;
  /** Unpacked release directories kept per app besides the running one. */
  keepUnpacked?: number;
  maxPerType?: number;
  releaseTimeoutMs?: number;
  /** Told after a release starts running (cron re-registers its jobs). */
  deployed?(app: string): void;
  /** Told before a deploy plans its formation (an app scaled to zero gets an instance, so the new release is checked); returns how to undo it if the deploy fails. */
  beforeDeploy?(app: string): (() => void) | undefined;
  /** The app's web may go to zero (a sandbox is then kept ready for the wake). */
  scalesToZero?(app: string): boolean;
}

export interface OpsApp {
  id: number;
  name: string;
  uid: number;
  settings: Record<string, number>;
}

export interface ScaleChange {
  quantity?: number;
  memoryMb?: number;
}

/**
 * The operations users ask for — deploy a release, scale, restart, roll back —
 * over releases (what to run) and the supervisor (running it). A release is
 * `pending` until its instances are up, then `succeeded`; if they fail it is
 * `failed` and the previous release keeps serving.
 */
export class Operations {
  private readonly guard: ReleaseGuard;

  constructor(private readonly deps: OperationsDeps) {
    this.guard = new ReleaseGuard({
      rates: this.deps.rates,
      restarts: (app, v) => this.deps.supervisor.ps(app).filter((i) => i.release === `v${v}`).reduce((n, i) => n + i.restarts, 0),
      current: (app) => this.deps.supervisor.current(app),
      rollback: async (app, to, reason) => {
        const bad = this.deps.supervisor.current(app);
        await this.rollback(app, to, undefined, true);
        if (bad !== undefined) this.deps.releases.setStatus(this.deps.app(app).id, bad, 'failed');
        this.deps.log(app, `Post-release guard: rolled back to v${to}; v${bad} is marked failed (${reason})`);
      },
      log: (app, line) => this.deps.log(app, line),
    });
  }

  async deploy(appName: string, version: number, progress?: (line: string) => void, unguarded = false): Promise<void> {
    const app = this.deps.app(appName);
    const rel = this.deps.releases.get(app.id, version);
    const previous = this.deps.releases.current(app.id);
    let undo: (() => void) | undefined;
    try {
      const runnable = await this.runnable(app.name, rel);
      this.ensureFormation(app, rel);
      undo = this.deps.beforeDeploy?.(app.name);
      const runtime = this.runtime(app, rel);
      progress?.(`       Starting ${formationLine(Object.entries(runtime.formation).flatMap(([t, f]) => (rel.process_types[t] === undefined ? [] : Array<string>(f.quantity).fill(t)))) || 'no processes (scale with `slipway ps:scale`)'}`);
      await this.releasePhase(runtime, runnable, progress);
      await this.deps.supervisor.deploy(runtime, runnable);
      this.deps.releases.setStatus(app.id, version, 'succeeded');
      this.deps.log(app.name, `Release v${version} is running (${rel.description})`);
      this.prune(app);
      this.deps.deployed?.(app.name);
      if (!unguarded && previous?.slug && previous.version !== version) this.guard.watch(app.name, version, previous.version, guardSettings(app.settings));
    } catch (err) {
      undo?.();
      this.deps.releases.setStatus(app.id, version, 'failed');
      this.deps.log(app.name, `Release v${version} failed to start; the previous release keeps running`);
      throw err;
    }
  }

  /**
   * Heroku's release phase: the Procfile's `release:` command runs once as a
   * one-off instance of the new release before any traffic switches
   * (database migrations); a non-zero exit aborts the deploy with its output.
   */
  private async releasePhase(runtime: AppRuntime, rel: RunnableRelease, progress?: (line: string) => void): Promise<void> {
    const command = rel.processTypes.release;
    if (command === undefined) return;
    progress?.(`       Running release command: ${command}`);
    const tail: string[] = [];
    const exit = await this.deps.supervisor.oneOff(runtime, rel, {
      name: 'release.1',
      command,
      timeoutMs: this.deps.releaseTimeoutMs ?? 15 * 60_000,
      onLine: (_s, l) => {
        progress?.(`       ${l}`);
        tail.push(l);
        if (tail.length > 20) tail.shift();
      },
    });
    if (exit.code === 0) return;
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`;
    throw new SlipwayError('E_DEPLOY_FAILED', `the release command \`${command}\` ${how}${tail.length ? `; its last output:\n${tail.slice(-10).map((l) => `  ${l}`).join('\n')}` : ''}`, {
      hint: 'nothing was switched: the previous release keeps serving',
    });
  }

  /**
   * app.json's deploy-done hooks, run once in a one-off of a release that is
   * serving: Dokku's `scripts.dokku.postdeploy` after every deploy from a
   * build, Heroku's `scripts.postdeploy` after the app's first one (as Heroku
   * runs it once, when the app is set up). A failure is reported, never rolled
   * back: the release already serves.
   */
  async postdeploy(appName: string, version: number, progress?: (line: string) => void): Promise<void> {
    const app = this.deps.app(appName);
    const rel = this.deps.releases.get(app.id, version);
    const scripts = (rel.app_json as { scripts?: { dokku?: { postdeploy?: string }; postdeploy?: string } } | null)?.scripts;
    const first = !this.deps.releases.list(app.id).some((r) => r.version < version && r.slug && r.status === 'succeeded');
    const hooks = [
      { key: 'scripts.dokku.postdeploy', command: scripts?.dokku?.postdeploy },
      { key: 'scripts.postdeploy', command: first ? scripts?.postdeploy : undefined },
    ];
    for (const { key, command } of hooks) {
      if (command === undefined) continue;
      progress?.(`-----> Running postdeploy (app.json ${key}): ${command}`);
      const exit = await this.deps.supervisor.oneOff(this.runtime(app, rel), await this.runnable(app.name, rel), {
        name: 'postdeploy.1',
        command,
        timeoutMs: this.deps.releaseTimeoutMs ?? 15 * 60_000,
        onLine: (_s, l) => progress?.(`       ${l}`),
      });
      if (exit.code === 0) continue;
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`;
      progress?.(` !     postdeploy \`${command}\` ${how}; v${version} keeps running (a postdeploy failure does not roll back)`);
      this.deps.log(app.name, `postdeploy of v${version} (${key}) ${how}`);
    }
  }

  /** At most this many instances per process type. */
  get maxPerType(): number {
    return this.deps.maxPerType ?? 20;
  }

  /** `auto`: the autoscaler's change (it logs its own line, with the figures behind it). */
  async scale(appName: string, changes: Record<string, ScaleChange>, opts: { auto?: boolean } = {}): Promise<FormationEntry[]> {
    const app = this.deps.app(appName);
    const rel = this.deps.releases.current(app.id);
    const types = Object.keys(rel?.process_types ?? {});
    for (const [type, c] of Object.entries(changes)) {
      if (type === 'release') throw new SlipwayError('E_VALIDATION', 'the release process type runs once per deploy and cannot be scaled');
      if (rel && !types.includes(type)) throw new SlipwayError('E_VALIDATION', `unknown process type ${type}`, { hint: `the process types of v${rel.version} are: ${types.join(', ') || 'none'}` });
      const max = this.maxPerType;
      if (c.quantity !== undefined && c.quantity > max) throw new SlipwayError('E_VALIDATION', `${type}=${c.quantity}: at most ${max} instances per process type`);
    }
    const rows = Object.entries(changes).map(([type, c]) => ({ type, quantity: c.quantity, memory_mb: c.memoryMb }));
    if (rel) this.ensureFormation(app, rel); // defaults first, so a change to one type keeps the others
    if (rel && opts.auto && rows.every((r) => r.memory_mb === undefined && r.quantity !== undefined)) {
      // The autoscaler (a wake has requests waiting): instances start first; the
      // formation is written (an fsync) while they boot, not before.
      const runtime = this.runtime(app, rel);
      for (const r of rows) runtime.formation[r.type] = { ...runtime.formation[r.type], quantity: r.quantity as number };
      const scaled = this.deps.supervisor.scale(runtime);
      scaled.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
      await new Promise((r) => setImmediate(r));
      this.deps.formation.set(app.id, rows);
      await scaled;
      return this.deps.formation.get(app.id);
    }
    this.deps.formation.set(app.id, rows);
    if (rel) {
      if (!opts.auto) this.deps.log(app.name, `Scaled to ${Object.entries(changes).map(([t, c]) => `${t}=${c.quantity ?? '·'}${c.memoryMb ? `:${c.memoryMb}M` : ''}`).join(' ')}`);
      const runtime = this.runtime(app, rel);
      if (Object.values(changes).some((c) => c.memoryMb !== undefined)) {
        await this.deps.supervisor.scale(runtime);
        const running = new Set(this.deps.supervisor.ps(app.name).map((i) => i.type));
        // types with nothing running (scaled to zero) get the new limit at their next start
        for (const [type, c] of Object.entries(changes)) if (c.memoryMb !== undefined && running.has(type)) await this.deps.supervisor.restart(runtime, type);
      } else {
        await this.deps.supervisor.scale(runtime);
      }
    }
    return this.deps.formation.get(app.id);
  }

  /** Writes a type's quantity without starting or stopping anything (the next deploy runs it). */
  setQuantity(appName: string, type: string, quantity: number): void {
    this.deps.formation.set(this.deps.app(appName).id, [{ type, quantity }]);
  }

  async restart(appName: string, which?: string): Promise<void> {
    const app = this.deps.app(appName);
    const rel = this.deps.releases.current(app.id);
    if (!rel) throw new SlipwayError('E_VALIDATION', `${app.name} has no release to run yet`, { hint: 'deploy it first: git push slipway main' });
    this.deps.log(app.name, `Restarting ${which ?? 'all processes'}`);
    await this.deps.supervisor.restart(this.runtime(app, rel), which);
  }

  async rollback(appName: string, target?: number, progress?: (line: string) => void, unguarded = false): Promise<ReleaseRow> {
    const app = this.deps.app(appName);
    const rel = this.deps.releases.rollback(app.id, target);
    await this.deploy(app.name, rel.version, progress, unguarded);
    return this.deps.releases.get(app.id, rel.version);
  }

  ps(appName: string): { instances: InstanceView[]; formation: FormationEntry[] } {
    const app = this.deps.app(appName);
    const rel = this.deps.releases.current(app.id);
    return { instances: this.deps.supervisor.ps(app.name), formation: rel ? this.formationOf(app, rel) : this.deps.formation.get(app.id) };
  }

  async stopApp(appName: string): Promise<void> {
    this.guard.stop(appName);
    await this.deps.supervisor.stopApp(appName, this.deps.graceMs);
  }

  /**
   * At start-up, before the API answers: a release left `pending` by a daemon
   * that died mid-deploy is marked failed (rolled back: the previous release
   * is the one that runs), and the app's log says so.
   */
  recoverInterrupted(): void {
    for (const app of this.deps.allApps()) {
      for (const r of this.deps.releases.list(app.id).filter((x) => x.status === 'pending')) {
        this.deps.releases.setStatus(app.id, r.version, 'failed');
        this.deps.log(app.name, `Deploy of v${r.version} was interrupted by a server restart; rolled back to v${this.deps.releases.current(app.id)?.version ?? '?'}`);
      }
    }
  }

  /** At start-up: every app runs its current release again. */
  async boot(): Promise<void> {
    await Promise.all(this.deps.allApps().map(async (app) => {
      const rel = this.deps.releases.current(app.id);
      if (!rel?.slug) return;
      try {
        this.ensureFormation(app, rel);
        await this.deps.supervisor.deploy(this.runtime(app, rel), await this.runnable(app.name, rel));
        this.deps.log(app.name, `Server restarted: v${rel.version} is running again`);
      } catch (err) {
        this.deps.log(app.name, `Server restarted, but v${rel.version} did not start: ${err instanceof Error ? err.message : String(err)}`);
      }
    }));
  }

  /** The current release, ready to run one-offs from (run, cron). */
  async current(appName: string): Promise<{ app: OpsApp; runtime: AppRuntime; release: RunnableRelease; row: ReleaseRow } | undefined> {
    const app = this.deps.app(appName);
    const row = this.deps.releases.current(app.id);
    if (!row?.slug) return undefined;
    return { app, runtime: this.runtime(app, row), release: await this.runnable(app.name, row), row };
  }

  private async runnable(appName: string, rel: ReleaseRow): Promise<RunnableRelease> {
    if (!rel.slug) return { version: rel.version, dir: '/nonexistent', processTypes: {}, config: rel.config };
    const healthchecks = (rel.app_json as { healthchecks?: RunnableRelease['healthchecks'] } | null)?.healthchecks;
    return { version: rel.version, dir: await ensureUnpacked(this.deps.home, appName, rel.slug), processTypes: rel.process_types, config: rel.config, healthchecks };
  }

  /**
   * The formation for a release: what the user scaled, else app.json's
   * `formation` (quantity, and memory or a Heroku size), else Heroku's default (web=1, other types 0). A read: the
   * defaults are filled in here, and written down only by writes
   * (ensureFormation: deploy, scale, boot).
   */
  private formationOf(app: OpsApp, rel: ReleaseRow): FormationEntry[] {
    const rows = this.deps.formation.get(app.id);
    const missing = this.missingDefaults(rows, rel);
    return [...rows, ...missing].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  }

  /** Writes the defaults of the release's types not in the formation yet, so scaling one type keeps the others. */
  private ensureFormation(app: OpsApp, rel: ReleaseRow): void {
    const missing = this.missingDefaults(this.deps.formation.get(app.id), rel);
    if (missing.length) this.deps.formation.set(app.id, missing);
  }

  private missingDefaults(rows: FormationEntry[], rel: ReleaseRow): FormationEntry[] {
    const have = new Set(rows.map((r) => r.type));
    const fromJson = appJsonFormation(rel);
    return Object.keys(rel.process_types)
      .filter((t) => !have.has(t) && t !== 'release')
      .map((type) => ({ type, quantity: fromJson[type]?.quantity ?? (type === 'web' ? 1 : 0), memory_mb: fromJson[type]?.memoryMb ?? null }));
  }

  /** What the supervisor runs for a release (a read: see formationOf). */
  private runtime(app: OpsApp, rel: ReleaseRow): AppRuntime {
    const formation: AppRuntime['formation'] = {};
    for (const r of this.formationOf(app, rel)) formation[r.type] = { quantity: r.quantity, memoryMb: r.memory_mb ?? undefined };
    const sec = (k: string, dflt: number): number => (app.settings[k] ?? dflt) * 1000;
    return {
      name: app.name,
      uid: app.uid,
      formation,
      graceMs: sec('stop-timeout', 30),
      drainMs: sec('drain-timeout', 30),
      readyTimeoutMs: sec('deploy-timeout', 60),
      batchSize: app.settings['deploy-batch'] ?? 0,
      stopFirst: app.settings['deploy-stop-first'] === 1,
      parkWhenIdle: this.deps.scalesToZero?.(app.name) ?? false,
    };
  }

  private prune(app: { id: number; name: string }): void {
    const slugs = this.deps.releases.slugsNewestFirst(app.id);
    const cur = this.deps.releases.current(app.id)?.slug;
    pruneUnpacked(this.deps.home, app.name, slugs, this.deps.keepUnpacked ?? 3, new Set(cur ? [cur] : []));
  }
}

function guardSettings(s: Record<string, number>): { windowMs: number; crashes: number; errorShare: number } {
  return { windowMs: (s['guard-window'] ?? 120) * 1000, crashes: s['guard-crashes'] ?? 3, errorShare: (s['guard-5xx'] ?? 50) / 100 };
}
