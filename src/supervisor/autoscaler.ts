import { SlipwayError } from '../lib/index.js';
import { AUTOSCALE_DEFAULTS, checkRule, decide, FUNCTION_AUTOSCALE, type AutoscaleRule, type Sample } from './autoscale.js';
import type { Operations } from './operations.js';

/** Where rules live (the daemon wires the state room's store in). */
export interface RuleStore {
  /** Enabled rules of every app. */
  enabled(): { app: string; appId: number; type: string; rule: AutoscaleRule }[];
  /** `enabled: false`: the user turned it off (its figures are kept). */
  get(appId: number, type: string): { enabled: boolean; rule: AutoscaleRule } | undefined;
  set(appId: number, type: string, rule: AutoscaleRule): void;
  disable(appId: number, type: string): boolean;
}

/** The app's web rule is on with a minimum of 0 (read from the rules alone, so the router's owner can ask before an Autoscaler exists). */
export function scalesToZero(rules: Pick<RuleStore, 'get'>, appId: number): boolean {
  const r = rules.get(appId, 'web');
  return r?.enabled === true && r.rule.min === 0;
}

export interface AutoscalerDeps {
  rules: RuleStore;
  ops: Operations;
  appId(app: string): number;
  /** The router's per-app figures (requests in flight, per second, and a running total). */
  stats(): Promise<Record<string, { inflight: number; rate: number; total: number }>>;
  /** Requests the activator holds for the app, and whether a wake is in progress. */
  activation(app: string): { held: number; waking: boolean };
  /** The router must learn whether the app now scales to zero. */
  route(app: string): Promise<void>;
  log(app: string, line: string): void;
  tickMs?: number;
}

export type AutoscaleStatus = 'idle' | 'waking' | 'up' | 'starting' | 'crashed';

export interface AutoscaleView extends AutoscaleRule {
  type: string;
  status: AutoscaleStatus;
}

interface Track {
  samples: Sample[];
  lastActive: number;
  lastChange: number;
  lastTotal: number | undefined;
  busy: boolean;
}

/**
 * Scales web processes from the router's figures, once a tick: to zero after
 * the idle time (min 0), out when requests in flight per instance stay above
 * the target, in after a stable window below it, always within min..max.
 * Every change goes through Operations.scale — the path `ps:scale` takes —
 * and is logged with the figures behind it.
 */
export class Autoscaler {
  private readonly track = new Map<string, Track>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly tickMs: number;
  private readonly waking = new Set<string>();

  constructor(private readonly deps: AutoscalerDeps) {
    this.tickMs = deps.tickMs ?? 1000;
  }

  start(): void {
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  /** The rule of an app's web processes scales it to zero: the router then hands its requests to the activator. */
  scalesToZero(app: string): boolean {
    return scalesToZero(this.deps.rules, this.deps.appId(app));
  }

  /** Sets (or changes) a rule; flags not given keep the earlier rule's figures, else the defaults. Brings the formation within bounds. */
  async set(app: string, type: string, given: Partial<AutoscaleRule>): Promise<AutoscaleView[]> {
    const id = this.deps.appId(app);
    const prev = this.deps.rules.get(id, type)?.rule;
    const min = given.min ?? prev?.min ?? AUTOSCALE_DEFAULTS.min;
    const rule: AutoscaleRule = {
      min,
      max: given.max ?? prev?.max ?? Math.max(min, 1),
      concurrency: given.concurrency ?? prev?.concurrency ?? AUTOSCALE_DEFAULTS.concurrency,
      idleS: given.idleS ?? prev?.idleS ?? AUTOSCALE_DEFAULTS.idleS,
      windowS: given.windowS ?? prev?.windowS ?? AUTOSCALE_DEFAULTS.windowS,
    };
    checkRule(type, rule, this.deps.ops.maxPerType);
    // Up to a new minimum first, while the old rule still routes (an idle app's held requests then go to the new instances).
    const n = this.quantity(app, type);
    if (n !== undefined && n < rule.min) await this.apply(app, type, n, { to: rule.min, why: `below the new minimum of ${rule.min}` });
    this.deps.rules.set(id, type, rule);
    this.deps.log(app, `Autoscale ${type}: min ${rule.min}, max ${rule.max}, ${rule.concurrency} requests in flight per instance${rule.min === 0 ? `, scale to zero after ${rule.idleS} s idle` : ''}, scale in after ${rule.windowS} s below target`);
    this.reset(app);
    await this.deps.route(app);
    if (n !== undefined && n > rule.max) await this.apply(app, type, n, { to: rule.max, why: `above the new maximum of ${rule.max}` });
    return this.view(app);
  }

  /** Turns the rule off; the formation stays as it is, except that an app at zero gets one instance so it keeps serving. */
  async off(app: string, type: string): Promise<AutoscaleView[]> {
    const id = this.deps.appId(app);
    if (!this.deps.rules.get(id, type)?.enabled) throw new SlipwayError('E_VALIDATION', `${type} of ${app} is not autoscaled`, { hint: 'see `slipway ps -a APP`' });
    // an idle app gets its instance before the activator goes: requests held meanwhile go to it
    if (this.quantity(app, type) === 0) await this.apply(app, type, 0, { to: 1, why: 'autoscaling is being turned off while it is idle' });
    this.deps.rules.disable(id, type);
    this.deps.log(app, `Autoscale ${type}: off; the formation stays where it is`);
    await this.deps.route(app);
    return this.view(app);
  }

  /** After a deploy: a function app with no rule yet gets the function defaults (scale to zero). */
  deployed(app: string, isFunction: boolean): void {
    if (!isFunction) return;
    const id = this.deps.appId(app);
    if (this.deps.rules.get(id, 'web')) return; // set by the user, or turned off: theirs
    this.deps.rules.set(id, 'web', FUNCTION_AUTOSCALE);
    const r = FUNCTION_AUTOSCALE;
    this.deps.log(app, `Autoscale web: functions scale to zero by default (min ${r.min}, max ${r.max}, ${r.concurrency} in flight per instance, idle ${r.idleS} s); change it with ps:autoscale`);
    this.reset(app);
    void this.deps.route(app).catch(() => undefined);
  }

  /**
   * A deploy (push, config change, rollback) to an app at zero starts one
   * instance of the new release, so it is checked like any deploy; the idle
   * time then counts from the deploy.
   */
  beforeDeploy(app: string): (() => void) | undefined {
    if (!this.scalesToZero(app) || this.quantity(app, 'web') !== 0) return undefined;
    this.deps.ops.setQuantity(app, 'web', 1);
    this.deps.log(app, 'Autoscale web: 0 → 1 instance(s) for the deploy, so the new release is checked; back to zero when idle');
    this.reset(app);
    // the deploy failed: the app stays at zero with its old release (still woken on demand)
    return () => this.deps.ops.setQuantity(app, 'web', 0);
  }

  /** `ps:scale` on an autoscaled type must stay within the rule. */
  checkManual(app: string, changes: Record<string, { quantity?: number }>): void {
    const id = this.deps.appId(app);
    for (const [type, c] of Object.entries(changes)) {
      const r = this.deps.rules.get(id, type);
      if (!r?.enabled || c.quantity === undefined) continue;
      if (c.quantity < r.rule.min || c.quantity > r.rule.max) {
        throw new SlipwayError('E_VALIDATION', `${type} is autoscaled between ${r.rule.min} and ${r.rule.max} instances; ${type}=${c.quantity} is outside that`, {
          hint: `change the rule (slipway ps:autoscale ${type} --min N --max N) or turn it off (slipway ps:autoscale ${type} --off)`,
        });
      }
    }
    for (const type of Object.keys(changes)) this.reset(app, type);
  }

  /** The activator holds a request for an app at zero: start one instance (or the minimum). */
  async wake(app: string): Promise<void> {
    if (this.waking.has(app)) return;
    this.waking.add(app);
    try {
      const r = this.deps.rules.get(this.deps.appId(app), 'web');
      const n = this.quantity(app, 'web') ?? 0;
      // scaled up and an instance is on its way: the held requests go on once it is ready
      const live = this.deps.ops.ps(app).instances.some((i) => i.type === 'web' && (i.state === 'starting' || i.state === 'up' || i.state === 'crashed'));
      if (n > 0 && live) return;
      const cur = await this.deps.ops.current(app);
      if (cur?.release.processTypes.web === undefined) throw new SlipwayError('E_VALIDATION', `${app} has no release with a web process to start yet`, { hint: 'deploy it first: git push slipway main' });
      const to = Math.max(1, n, r?.enabled ? r.rule.min : 1);
      await this.apply(app, 'web', n, { to, why: 'a request arrived while it was idle' });
    } finally {
      this.waking.delete(app);
    }
  }

  view(app: string): AutoscaleView[] {
    const id = this.deps.appId(app);
    const out: AutoscaleView[] = [];
    const ps = this.deps.ops.ps(app);
    const r = this.deps.rules.get(id, 'web');
    if (!r?.enabled) return out;
    const web = ps.instances.filter((i) => i.type === 'web');
    const act = this.deps.activation(app);
    let status: AutoscaleStatus;
    if (web.some((i) => i.state === 'up')) status = 'up';
    else if (act.waking || this.waking.has(app)) status = 'waking';
    else if (web.some((i) => i.state === 'crashed')) status = 'crashed';
    else if (web.some((i) => i.state === 'starting')) status = 'starting';
    else status = (ps.formation.find((f) => f.type === 'web')?.quantity ?? 0) === 0 ? 'idle' : 'starting';
    out.push({ type: 'web', ...r.rule, status });
    return out;
  }

  private quantity(app: string, type: string): number | undefined {
    return this.deps.ops.ps(app).formation.find((f) => f.type === type)?.quantity;
  }

  private reset(app: string, _type = 'web'): void {
    const now = Date.now();
    this.track.set(app, { samples: [], lastActive: now, lastChange: now, lastTotal: this.track.get(app)?.lastTotal, busy: false });
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.tick()
        .catch((e: unknown) => process.stderr.write(`autoscaler: ${e instanceof Error ? e.message : String(e)}\n`))
        .finally(() => this.schedule());
    }, this.tickMs);
  }

  /** One look at the router's figures and one decision per autoscaled app. */
  async tick(): Promise<void> {
    const rules = this.deps.rules.enabled();
    if (rules.length === 0) return;
    const stats = await this.deps.stats();
    const now = Date.now();
    for (const { app, type, rule } of rules) {
      let t = this.track.get(app);
      if (!t) {
        this.reset(app);
        t = this.track.get(app) as Track;
      }
      if (t.busy) continue;
      const s = stats[app];
      if (!s) continue;
      const act = this.deps.activation(app);
      if (s.inflight > 0 || act.held > 0 || (t.lastTotal !== undefined && s.total !== t.lastTotal)) t.lastActive = now;
      t.lastTotal = s.total;
      t.samples.push({ at: now, inflight: s.inflight, rate: s.rate });
      const keepFrom = now - Math.max(rule.windowS * 1000, 5000) - 2000;
      while (t.samples.length && (t.samples[0] as Sample).at < keepFrom) t.samples.shift();
      const n = this.quantity(app, type);
      if (n === undefined || this.waking.has(app) || act.waking) continue;
      const d = decide(rule, n, t.samples, now, t.lastActive, t.lastChange);
      if (d) void this.apply(app, type, n, d).catch((e: Error) => this.deps.log(app, `Autoscale ${type}: scaling to ${d.to} failed: ${e.message}`));
    }
  }

  private async apply(app: string, type: string, from: number, d: { to: number; why: string }): Promise<void> {
    const t = this.track.get(app);
    if (t) t.busy = true;
    this.deps.log(app, `Autoscale ${type}: ${from} → ${d.to} instance(s): ${d.why}`);
    try {
      await this.deps.ops.scale(app, { [type]: { quantity: d.to } }, { auto: true });
    } finally {
      const now = Date.now();
      this.track.set(app, { samples: [], lastActive: d.to === 0 ? (t?.lastActive ?? now) : now, lastChange: now, lastTotal: t?.lastTotal, busy: false });
    }
  }
}
