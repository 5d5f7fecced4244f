import { randomBytes } from 'node:crypto';
import type { Driver, Instance } from '../runtime/driver.js';
import { attempt, waitReady, type Check } from './health.js';
import type { PortAllocator } from './ports.js';
import { processSpec, setupKey, typeOf } from './process-spec.js';
import { nextRestart } from './restart-policy.js';
import type { AppRuntime, InstanceState, InstanceView, RunnableRelease, SupervisorEvents } from './types.js';

export interface InstanceContext {
  driver: Driver;
  events: SupervisorEvents;
  ports: PortAllocator;
  app: AppRuntime;
  rel: RunnableRelease;
  /** app.json health checks for this instance's type. */
  checks: Check[];
  /** How long a new web instance may take to become ready. */
  readyTimeoutMs: number;
  /** Called on every state change (the supervisor republishes the app's targets). */
  changed(): void;
}

const TAIL_LINES = 20;
/** Enough boot output to show its first error and its end (crashExcerpt trims to 60 lines). */
const BOOT_OUTPUT_LINES = 2000;

/** A process that ended before it was up (a crash on start, as opposed to not listening in time). */
export class InstanceExitedError extends Error {}

/**
 * One supervised instance (`web.1` of v3): starts it, watches for readiness,
 * restarts it after a crash (at once, then 1 s, 2 s, 4 s ... up to 2 min,
 * waiting on a timer so a crash loop costs no CPU), and stops it gracefully.
 */
export class Supervised {
  readonly id: string;
  readonly type: string;
  state: InstanceState = 'starting';
  since = new Date();
  restarts = 0;
  port: number | undefined;
  private supervising = false;
  private drainingNow = false;
  readonly tail: string[] = [];
  /** Output since the current process started, until it is up (what a failed deploy shows); bounded. */
  readonly bootOutput: string[] = [];
  private booting = false;
  /** How it last ended (`exited with status 1`), for the activator's 503. */
  lastExit: string | undefined;
  private handle: Instance | undefined;
  private parked: Instance | undefined;
  private wanted = true;
  private timer: NodeJS.Timeout | undefined;
  private consecutive = 0;
  private upAt = 0;
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];

  constructor(readonly name: string, private readonly ctx: InstanceContext) {
    this.type = typeOf(name);
    this.id = `${name}_${randomBytes(3).toString('hex')}`;
  }

  /** Past the deploy's gate: from now on a crash is restarted (before, it is reported and fails the deploy). */
  supervise(): void {
    if (this.supervising) return;
    this.supervising = true;
    // a worker is up at once and can crash while the deploy still waits for web: it is restarted like any crash
    if (this.state === 'crashed' && this.wanted) this.scheduleRestart();
  }

  /** Retiring: the router sends it no new requests while in-flight ones finish. */
  get draining(): boolean {
    return this.drainingNow;
  }

  /** A web instance that is up starts draining as it retires; returns whether it does. */
  beginDrain(): boolean {
    if (this.isWeb && this.state === 'up') this.drainingNow = true;
    return this.drainingNow;
  }

  /** The drain is over (finished or past its deadline): it leaves the router's pool. */
  endDrain(): void {
    this.drainingNow = false;
  }

  get release(): number {
    return this.ctx.rel.version;
  }

  get command(): string {
    return this.ctx.rel.processTypes[this.type] ?? '';
  }

  get isWeb(): boolean {
    return this.type === 'web';
  }

  /** The host pid of what runs now (the running process, else the parked sandbox), for memory/CPU figures. */
  get pid(): number | undefined {
    return (this.handle ?? this.parked)?.pid;
  }

  view(): InstanceView {
    return { name: this.name, type: this.type, state: this.state, release: `v${this.release}`, since: this.since.toISOString(), restarts: this.restarts, command: this.command, port: this.port };
  }

  async start(): Promise<void> {
    const parked = this.parked;
    if (parked) {
      // the sandbox waits at its gate: only the app's own start-up is left. The
      // port is picked now: one kept for days could be taken by anyone on the host.
      this.parked = undefined;
      this.port = await this.ctx.ports.next();
      this.upAt = 0;
      this.startBoot();
      this.setState('starting');
      this.platform(`Starting process with command \`${this.command}\` (in its parked sandbox)`);
      this.handle = parked;
      parked.open(this.port);
      if (this.isWeb) void this.watchReadiness(parked, true);
      else this.becameUp();
      return;
    }
    this.port = await this.ctx.ports.next();
    this.upAt = 0;
    this.startBoot();
    this.setState('starting');
    this.platform(`Starting process with command \`${this.command}\``);
    const handle = await this.launch(false);
    this.handle = handle;
    if (this.isWeb) void this.watchReadiness(handle);
    else this.becameUp();
  }

  /**
   * Sets up the sandbox and stops at its gate (see ProcessSpec.gated): none of
   * the app's code runs; start() then opens it with a port picked then.
   */
  async park(): Promise<void> {
    this.port = undefined;
    const handle = await this.launch(true);
    this.parked = handle;
    void handle.exited.then(() => {
      if (this.parked === handle) this.parked = undefined;
    });
  }

  /** What a parked sandbox was set up with: a change (ps:resize, stop-timeout) means a new one. */
  get setupKey(): string {
    return setupKey(this.ctx.app, this.ctx.rel, this.type);
  }

  get isParked(): boolean {
    return this.parked !== undefined;
  }

  /** Ends a parked sandbox that is no longer wanted (a new release, the app stopped or serving again). */
  async unpark(): Promise<void> {
    const h = this.parked;
    this.parked = undefined;
    this.wanted = false;
    if (!h) return;
    await h.stop(2000);
  }

  private async launch(gated: boolean): Promise<Instance> {
    const { app, rel } = this.ctx;
    const handle = await this.ctx.driver.start(
      processSpec({ app, rel, name: this.name, id: this.id, command: this.command, port: this.port, gated }),
      { onLine: (_s, line) => this.output(line) },
    );
    void handle.exited.then((exit) => this.exited(handle, exit.code, exit.signal));
    return handle;
  }

  /** Resolves when the instance is up; rejects when it exits first or fails its checks. */
  ready(): Promise<void> {
    if (this.state === 'up') return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** SIGTERM, SIGKILL after the grace period; never restarted afterwards. */
  async stop(graceMs: number, draining = true): Promise<void> {
    this.wanted = false;
    clearTimeout(this.timer);
    const h = this.handle;
    if (draining && this.state !== 'crashed') this.setState('draining');
    if (h) {
      this.platform(`Stopping process with SIGTERM`);
      const exit = await h.stop(graceMs);
      if (exit.signal === 'SIGKILL' || exit.code === 137) this.platform(`Process did not exit within ${Math.round(graceMs / 1000)} s of SIGTERM; killed with SIGKILL`);
    }
    this.setState('stopped');
  }

  private async watchReadiness(handle: Instance, acceptOnly = false): Promise<void> {
    const alive = (): boolean => this.handle === handle && this.state === 'starting';
    try {
      await waitReady({ port: this.port as number, alive, deadline: Date.now() + this.ctx.readyTimeoutMs }, this.ctx.checks, acceptOnly);
      if (alive()) this.becameUp();
    } catch (err) {
      if (!alive()) return; // it exited: exited() reports that
      const e = new Error(`${this.name} (v${this.release}) is not ready: ${(err as Error).message}`);
      this.platform(e.message);
      for (const w of this.waiters.splice(0)) w.reject(e);
      if (this.supervising) void handle.stop(this.ctx.app.graceMs); // a supervised instance that never gets ready is restarted like a crash
    }
  }

  /** How long a web instance has to accept connections on its $PORT. */
  get readyTimeoutMs(): number {
    return this.ctx.readyTimeoutMs;
  }

  private startBoot(): void {
    this.bootOutput.length = 0;
    this.booting = true;
  }

  private becameUp(): void {
    this.booting = false;
    this.bootOutput.length = 0;
    this.upAt = Date.now();
    this.setState('up');
    for (const w of this.waiters.splice(0)) w.resolve();
    const live = this.ctx.checks.filter((c) => c.type === 'liveness');
    if (live.length && this.handle) void this.watchLiveness(this.handle, live);
  }

  /**
   * Liveness checks keep running while the instance is up: after `attempts`
   * failures in a row it leaves the pool and is restarted like a crash.
   */
  private async watchLiveness(handle: Instance, checks: Check[]): Promise<void> {
    const failures = new Map<Check, number>();
    while (this.handle === handle && this.wanted && this.state === 'up') {
      await new Promise((r) => setTimeout(r, Math.min(...checks.map((c) => (c.wait ?? 10) * 1000))));
      if (this.handle !== handle || !this.wanted || this.state !== 'up') return;
      for (const c of checks) {
        const why = await attempt({ port: this.port as number }, c);
        failures.set(c, why ? (failures.get(c) ?? 0) + 1 : 0);
        if (why && (failures.get(c) ?? 0) >= (c.attempts ?? 3)) {
          this.platform(`Liveness check failed ${failures.get(c)} times (${why}); restarting`);
          this.setState('starting'); // out of the router's pool at once
          void handle.stop(this.ctx.app.graceMs);
          return;
        }
      }
    }
  }

  private exited(handle: Instance, code: number | null, signal: string | null): void {
    if (handle !== this.handle || !this.wanted) return;
    this.handle = undefined;
    const how = signal ? `was killed by ${signal}` : `exited with status ${code}`;
    this.lastExit = `${this.name} ${how}${this.tail.length ? ` (last output: ${this.tail[this.tail.length - 1]})` : ''}`;
    this.platform(`Process ${how}`);
    this.booting = false;
    const err = new InstanceExitedError(`${this.name} (v${this.release}) ${how} before it was up`);
    for (const w of this.waiters.splice(0)) w.reject(err);
    this.setState('crashed');
    if (this.supervising) this.scheduleRestart();
  }

  /** At once after a first crash, then 1 s, 2 s, 4 s ... (a timer: no CPU spent while waiting). */
  private scheduleRestart(): void {
    this.restarts++;
    const { consecutive, delayMs: delay } = nextRestart({ consecutive: this.consecutive, upAt: this.upAt }, Date.now());
    this.consecutive = consecutive;
    if (delay > 0) this.platform(`Crashed ${this.consecutive} times in a row; restarting in ${delay / 1000} s`);
    this.timer = setTimeout(() => {
      if (!this.wanted) return;
      this.start().catch((e: Error) => {
        // could not even start (e.g. the sandbox failed): counts as another crash, so it is retried with backoff
        this.platform(`Could not restart: ${e.message}`);
        this.setState('crashed');
        if (this.wanted) this.scheduleRestart();
      });
    }, delay);
  }

  private setState(next: InstanceState): void {
    if (next === this.state && next !== 'starting') return;
    if (next !== this.state) this.platform(`State changed from ${this.state} to ${next}`);
    this.state = next;
    this.since = new Date();
    this.ctx.changed();
  }

  private output(line: string): void {
    if (this.booting && this.bootOutput.length < BOOT_OUTPUT_LINES) this.bootOutput.push(line);
    else if (this.booting) {
      this.bootOutput.splice(BOOT_OUTPUT_LINES / 2, 1); // keeps the start (the first error) and the end
      this.bootOutput.push(line);
    }
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    this.ctx.events.log(this.ctx.app.name, { source: 'app', ps: this.name, release: `v${this.release}`, line });
  }

  private platform(line: string): void {
    this.ctx.events.log(this.ctx.app.name, { source: 'platform', ps: this.name, release: `v${this.release}`, line: `${this.name}: ${line}` });
  }
}
