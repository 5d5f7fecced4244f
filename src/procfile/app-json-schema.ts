import { z } from 'zod';
import { findCronProblem, findTimeZoneProblem } from './cron.js';
import { PROCESS_TYPE_RULE } from './procfile.js';

/**
 * app.json as Heroku defines it plus Dokku's `healthchecks` and `cron`.
 * Objects are loose, as Heroku and Dokku read app.json: an unknown key is
 * kept and reported as a warning (see unknown-keys.ts), never a failure;
 * a known key with a wrong value is an error.
 */

export interface EnvSpec {
  description?: string;
  value?: string;
  required?: boolean;
  generator?: 'secret';
}

export interface FormationSpec {
  quantity?: number;
  size?: string;
  max_parallel?: number;
  /** "512M", "1G": a number and K, M or G (powers of 1024). */
  memory?: string;
}

export type HealthCheckType = 'startup' | 'readiness' | 'liveness';

/** Times are in seconds. */
export interface HealthCheck {
  type: HealthCheckType;
  name?: string;
  path?: string;
  port?: number;
  timeout?: number;
  attempts?: number;
  wait?: number;
  initialDelay?: number;
  content?: string;
  command?: string[];
  uptime?: number;
}

export type CronConcurrency = 'allow' | 'forbid';

/** A cron entry with its aliases resolved: `TZ` → `timezone`, `concurrency_policy` → `concurrency`. */
export interface CronJob {
  command: string;
  schedule: string;
  name?: string;
  id?: string;
  timezone?: string;
  concurrency: CronConcurrency;
}

export interface AppScripts {
  dokku?: { predeploy?: string; postdeploy?: string };
  postdeploy?: string;
  'pr-predestroy'?: string;
  test?: string;
  'test-setup'?: string;
}

export interface AppManifest {
  name?: string;
  description?: string;
  keywords?: string[];
  website?: string;
  repository?: string;
  logo?: string;
  success_url?: string;
  env?: Record<string, string | EnvSpec>;
  formation?: Record<string, FormationSpec>;
  scripts?: AppScripts;
  buildpacks?: { url: string }[];
  stack?: string;
  /** Accepted and kept; Slipway provisions no add-ons. */
  addons?: (string | Record<string, unknown>)[];
  /** Accepted and kept (Heroku CI and review-app overrides). */
  environments?: Record<string, unknown>;
  healthchecks?: Record<string, HealthCheck[]>;
  cron?: CronJob[];
}

export const MEMORY_RULE = /^[1-9][0-9]{0,5}[KMG]$/;
const ENV_KEY_RULE = /^[A-Za-z_][A-Za-z0-9_]{0,255}$/;
const CRON_ID_RULE = /^[A-Za-z0-9_-]{1,63}$/;

const processType = z
  .string()
  .regex(PROCESS_TYPE_RULE, 'is not a process type name: use 1 to 63 letters, digits, "_" or "-"');

const envKey = z
  .string()
  .regex(ENV_KEY_RULE, 'is not a config var name: use letters, digits and underscores, not starting with a digit, at most 256 characters');

/** A command run later under `sh -c`: kept verbatim, but it must say something and fit in an argv. */
const command = z
  .string()
  .refine((s) => s.trim() !== '', 'must not be empty')
  .refine((s) => !s.includes('\0'), 'must not contain a NUL byte');

const int = (min: number, max: number, message: string) => z.int({ error: message }).min(min, message).max(max, message);
const seconds = (message: string, positive = false) =>
  z.number({ error: message }).refine((n) => (positive ? n > 0 : n >= 0), message);

const envValue = z.union(
  [
    z.string(),
    z.looseObject({
      description: z.string().optional(),
      value: z.string().optional(),
      required: z.boolean().optional(),
      generator: z.literal('secret', { error: 'must be "secret" (the only generator)' }).optional(),
    }),
  ],
  { error: 'must be a string or an object with description, value, required or generator' },
);

const formation = z.looseObject({
  quantity: int(0, 100, 'must be an integer ≥ 0 and ≤ 100').optional(),
  size: z.string().optional(),
  max_parallel: int(1, 1000, 'must be an integer ≥ 1').optional(),
  memory: z.string().regex(MEMORY_RULE, 'must be a size such as "512M" or "1G"').optional(),
});

const healthCheck = z.looseObject({
  type: z.enum(['startup', 'readiness', 'liveness']).default('startup'),
  name: z.string().optional(),
  path: z
    .string()
    .startsWith('/', 'must start with "/"')
    .regex(/^[^\s\u0000-\u001f\u007f]*$/, 'must not contain spaces or control characters')
    .optional(),
  port: int(1, 65535, 'must be a port number from 1 to 65535').optional(),
  timeout: seconds('must be a number of seconds > 0', true).optional(),
  attempts: int(1, 1000, 'must be an integer ≥ 1').optional(),
  wait: seconds('must be a number of seconds ≥ 0').optional(),
  initialDelay: seconds('must be a number of seconds ≥ 0').optional(),
  content: z.string().optional(),
  command: z.array(command).min(1, 'must list at least the program to run').optional(),
  uptime: seconds('must be a number of seconds ≥ 0').optional(),
});

const cronEntry = z
  .looseObject({
    command,
    schedule: z.string().superRefine((s, ctx) => addProblem(ctx, findCronProblem(s))),
    name: z.string().min(1, 'must not be empty').optional(),
    id: z.string().regex(CRON_ID_RULE, 'must be 1 to 63 letters, digits, "_" or "-"').optional(),
    TZ: z.string().superRefine((s, ctx) => addProblem(ctx, findTimeZoneProblem(s))).optional(),
    timezone: z.string().superRefine((s, ctx) => addProblem(ctx, findTimeZoneProblem(s))).optional(),
    concurrency: z.enum(['allow', 'forbid']).optional(),
    // Dokku's spelling; its "replace" policy is not implemented, so it is refused rather than ignored.
    concurrency_policy: z.enum(['allow', 'forbid']).optional(),
  })
  .superRefine((e, ctx) => {
    if (e.TZ !== undefined && e.timezone !== undefined) addProblem(ctx, 'give either TZ or timezone, not both', ['timezone']);
    if (e.concurrency !== undefined && e.concurrency_policy !== undefined) {
      addProblem(ctx, 'give either concurrency or concurrency_policy, not both', ['concurrency_policy']);
    }
  })
  .transform(toCronJob);

function toCronJob(e: { command: string; schedule: string; name?: string; id?: string; TZ?: string; timezone?: string; concurrency?: CronConcurrency; concurrency_policy?: CronConcurrency }): CronJob {
  const job: CronJob = { command: e.command, schedule: e.schedule, concurrency: e.concurrency ?? e.concurrency_policy ?? 'forbid' };
  if (e.name !== undefined) job.name = e.name;
  if (e.id !== undefined) job.id = e.id;
  const timezone = e.timezone ?? e.TZ;
  if (timezone !== undefined) job.timezone = timezone;
  return job;
}

/** Ids name jobs in `cron:run ID`, so two jobs may not share one. */
const cronList = z.array(cronEntry).superRefine((jobs, ctx) => {
  const first = new Map<string, number>();
  jobs.forEach((job, i) => {
    if (job.id === undefined) return;
    const seen = first.get(job.id);
    if (seen === undefined) first.set(job.id, i);
    else addProblem(ctx, `duplicate id ${JSON.stringify(job.id)} (also used by cron[${seen}])`, [i, 'id']);
  });
});

const scripts = z.looseObject({
  dokku: z.looseObject({ predeploy: z.string().optional(), postdeploy: z.string().optional() }).optional(),
  postdeploy: z.string().optional(),
  'pr-predestroy': z.string().optional(),
  // Heroku CI's keys: accepted so apps arriving from Heroku deploy unchanged.
  test: z.string().optional(),
  'test-setup': z.string().optional(),
});

export const AppJsonSchema = z.looseObject({
  name: z.string().optional(),
  description: z.string().optional(),
  keywords: z.array(z.string()).optional(),
  website: z.string().optional(),
  repository: z.string().optional(),
  logo: z.string().optional(),
  success_url: z.string().optional(),
  env: z.record(envKey, envValue).optional(),
  formation: z.record(processType, formation).optional(),
  scripts: scripts.optional(),
  buildpacks: z.array(z.looseObject({ url: z.string().min(1, 'must not be empty') })).optional(),
  stack: z.string().optional(),
  addons: z.array(z.union([z.string(), z.record(z.string(), z.unknown())])).optional(),
  environments: z.record(z.string(), z.unknown()).optional(),
  healthchecks: z.record(processType, z.array(healthCheck)).optional(),
  cron: cronList.optional(),
});

// Fails to compile if the schema's output drifts from the hand-written interface.
const _outputMatches: (x: z.output<typeof AppJsonSchema>) => AppManifest = (x) => x;
void _outputMatches;

function addProblem(ctx: z.RefinementCtx, message: string | undefined, path: (string | number)[] = []): void {
  if (message !== undefined) ctx.addIssue({ code: 'custom', message, path });
}
