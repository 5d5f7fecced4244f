import { createHash } from 'node:crypto';
import { findCronProblem, findTimeZoneProblem, MAX_CRON_JOBS, nextCronRuns, type CronJob } from '../procfile/index.js';
import type { Operations, Supervisor } from '../supervisor/index.js';
import type { RunRecords } from './types.js';

export interface CronDeps {
  ops: Operations;
  supervisor: Supervisor;
  records: RunRecords;
  appId(app: string): number;
  log(app: string, line: string): void;
  /** A test clock: schedules run this many times faster than real time (1 in production). */
  timeScale?: number;
  /** How long one job run may take before it is stopped. */
  timeoutMs?: number;
}

interface Registered {
  id: string;
  job: CronJob;
  version: number;
  timer: NodeJS.Timeout | undefined;
  next: Date | undefined;
}

export interface CronJobView {
  id: string;
  schedule: string;
  command: string;
  timezone: string;
  concurrency: string;
  release: string;
  next_run: string | null;
  last_run: { name: string; started_at: string; finished_at: string | null; exit_code: number | null; signal: string | null } | null;
}

/** A job's id: the one app.json gives, else a short hash of schedule and command (stable across deploys). */
export function jobId(job: CronJob): string {
  return job.id ?? job.name ?? createHash('sha256').update(`${job.schedule}\n${job.command}`).digest('hex').slice(0, 8);
}

/**
 * Cron from app.json, Dokku's form. Jobs belong to the current release: a
 * deploy or rollback re-registers them (the next tick uses the new release;
 * a running job finishes on its own). A job never overlaps itself unless it
 * says `concurrency: allow` (a skipped tick is logged). After a daemon
 * restart, a job that was due while it was down runs once.
 */
export class CronService {
  private readonly apps = new Map<string, Registered[]>();
  /** Jobs running now, by app and job id: survives re-registration, so a deploy cannot make a job overlap. */
  private readonly running = new Map<string, Set<string>>();
  /** Why an app's stored jobs were not scheduled (shown by apps:info), by app. */
  private readonly problems = new Map<string, string>();
  private readonly scale: number;
  private readonly origin = Date.now();

  constructor(private readonly deps: CronDeps) {
    this.scale = deps.timeScale ?? 1;
  }

  /** (Re)registers the app's jobs from its current release; with catchUp, runs once a job missed while the daemon was down. */
  async sync(app: string, catchUp = false): Promise<void> {
    this.stop(app);
    this.problems.delete(app);
    const cur = await this.deps.ops.current(app);
    const stored = (cur?.row.app_json as { cron?: unknown } | null)?.cron ?? [];
    if (!cur) return;
    // Read back from state, possibly written by an older version without these
    // limits: checked again, so one app's jobs cannot take the daemon down.
    const jobs = this.checked(app, cur.row.version, stored);
    if (jobs.length === 0) return;
    const id = this.deps.appId(app);
    const regs = jobs.map((job): Registered => ({ id: jobId(job), job, version: cur.row.version, timer: undefined, next: undefined }));
    this.apps.set(app, regs);
    for (const r of regs) {
      const last = this.deps.records.cronLast(id, r.id);
      if (last === undefined) this.deps.records.setCronLast(id, r.id, new Date().toISOString());
      else if (catchUp && this.scale === 1 && (nextCronRuns(r.job.schedule, r.job.timezone, new Date(last), 1)[0]?.getTime() ?? Infinity) <= Date.now()) {
        this.deps.log(app, `cron ${r.id}: a run was due while the server was down; running it once now`);
        void this.fire(app, r);
      }
      this.arm(app, r);
    }
    this.deps.log(app, `cron: ${regs.length} job(s) of v${cur.row.version} scheduled: ${regs.map((r) => `${r.id} (${r.job.schedule})`).join(', ')}`);
  }

  /** Why the app's cron jobs are not scheduled, if they were refused. */
  problem(app: string): string | undefined {
    return this.problems.get(app);
  }

  private checked(app: string, version: number, stored: unknown): CronJob[] {
    const refuse = (why: string): CronJob[] => {
      const msg = `cron: the jobs of v${version} are not scheduled: ${why}; deploy a fixed app.json`;
      this.problems.set(app, msg);
      this.deps.log(app, msg);
      return [];
    };
    if (!Array.isArray(stored)) return refuse('the stored cron list is not a list');
    if (stored.length > MAX_CRON_JOBS) return refuse(`${stored.length} jobs, over the limit of ${MAX_CRON_JOBS} per app`);
    for (const [i, job] of (stored as Partial<CronJob>[]).entries()) {
      const bad =
        typeof job?.schedule !== 'string' || typeof job.command !== 'string'
          ? 'no schedule or command'
          : (findCronProblem(job.schedule) ?? (job.timezone === undefined ? undefined : findTimeZoneProblem(job.timezone)));
      if (bad !== undefined) return refuse(`cron[${i}]: ${bad}`);
    }
    return stored as CronJob[];
  }

  stop(app: string): void {
    for (const r of this.apps.get(app) ?? []) clearTimeout(r.timer);
    this.apps.delete(app);
  }

  list(app: string): CronJobView[] {
    const id = this.deps.appId(app);
    return (this.apps.get(app) ?? []).map((r) => {
      const last = this.deps.records.lastOfJob(id, r.id);
      return {
        id: r.id,
        schedule: r.job.schedule,
        command: r.job.command,
        timezone: r.job.timezone ?? 'UTC',
        concurrency: r.job.concurrency,
        release: `v${r.version}`,
        next_run: r.next?.toISOString() ?? null,
        last_run: last ? { name: last.name, started_at: last.started_at, finished_at: last.finished_at, exit_code: last.exit_code, signal: last.signal } : null,
      };
    });
  }

  /** `cron:run`: runs a job now (respecting its no-overlap rule); resolves with the run's name. */
  async trigger(app: string, id: string): Promise<string | undefined> {
    const r = (this.apps.get(app) ?? []).find((x) => x.id === id);
    if (!r) return undefined;
    return this.fire(app, r);
  }

  has(app: string, id: string): boolean {
    return (this.apps.get(app) ?? []).some((x) => x.id === id);
  }

  private virtualNow(): number {
    return this.origin + (Date.now() - this.origin) * this.scale;
  }

  private arm(app: string, r: Registered): void {
    const vnow = this.virtualNow();
    const next = nextCronRuns(r.job.schedule, r.job.timezone, new Date(vnow), 1)[0];
    r.next = next;
    if (!next) return;
    const delay = Math.max(0, (next.getTime() - vnow) / this.scale);
    r.timer = setTimeout(() => {
      if (this.apps.get(app)?.includes(r) !== true) return; // replaced by a deploy meanwhile
      void this.fire(app, r);
      this.arm(app, r);
    }, Math.min(delay, 2 ** 31 - 1));
    r.timer.unref();
  }

  private async fire(app: string, r: Registered): Promise<string | undefined> {
    const running = this.running.get(app) ?? new Set<string>();
    this.running.set(app, running);
    if (running.has(r.id) && r.job.concurrency !== 'allow') {
      this.deps.log(app, `cron ${r.id}: skipped, the previous run is still going`);
      return undefined;
    }
    const cur = await this.deps.ops.current(app);
    if (!cur) return undefined;
    const appId = this.deps.appId(app);
    const record = this.deps.records.start(appId, { prefix: `cron.${r.id}`, kind: 'cron', job: r.id, command: r.job.command, release: cur.row.version, detached: true });
    this.deps.records.setCronLast(appId, r.id, new Date().toISOString());
    running.add(r.id);
    try {
      const inst = await this.deps.supervisor.startOneOff(cur.runtime, cur.release, {
        name: record.name,
        logAs: `cron.${r.id}`,
        command: r.job.command,
        env: r.job.timezone ? { TZ: r.job.timezone } : {},
        timeoutMs: this.deps.timeoutMs ?? 60 * 60_000,
      });
      void inst.exited.then((exit) => {
        running.delete(r.id);
        this.deps.records.finish(record.id, exit);
        this.deps.log(app, `cron ${r.id}: ${record.name} ${exit.signal ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`}`);
      });
      return record.name;
    } catch (err) {
      running.delete(r.id);
      this.deps.records.finish(record.id, { code: null, signal: null });
      this.deps.log(app, `cron ${r.id}: could not start: ${(err as Error).message}`);
      return undefined;
    }
  }
}
