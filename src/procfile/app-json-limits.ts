import { MAX_PROCESS_TYPES } from './procfile.js';

/**
 * Bounds on what one app.json can make the daemon do. Checked on the raw
 * data before the schema walks it, so 10,000 cron jobs are refused in
 * microseconds rather than each being parsed first; the scheduler checks
 * MAX_CRON_JOBS again on what it reads back from state (older releases).
 */
export const MAX_CRON_JOBS = 50;
/** Health checks per process type. */
export const MAX_HEALTHCHECKS_PER_TYPE = 10;
/** app.json `env` entries (each becomes a config var; config has its own size limits). */
export const MAX_ENV_ENTRIES = 1000;

/** `path: problem` for every limit the raw app.json passes; empty when within bounds. */
export function findLimitProblems(data: unknown): { path: string; message: string }[] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return [];
  const d = data as Record<string, unknown>;
  const out: { path: string; message: string }[] = [];
  const count = (v: unknown): number => (Array.isArray(v) ? v.length : typeof v === 'object' && v !== null ? Object.keys(v).length : 0);
  const check = (path: string, v: unknown, max: number, what: string): void => {
    const n = count(v);
    if (n > max) out.push({ path, message: `has ${n} ${what}; the limit is ${max} per app` });
  };
  check('cron', d.cron, MAX_CRON_JOBS, 'jobs');
  check('formation', d.formation, MAX_PROCESS_TYPES, 'process types');
  check('healthchecks', d.healthchecks, MAX_PROCESS_TYPES, 'process types');
  check('env', d.env, MAX_ENV_ENTRIES, 'entries');
  if (typeof d.healthchecks === 'object' && d.healthchecks !== null && count(d.healthchecks) <= MAX_PROCESS_TYPES) {
    for (const [type, checks] of Object.entries(d.healthchecks)) {
      const n = count(checks);
      if (n > MAX_HEALTHCHECKS_PER_TYPE) out.push({ path: `healthchecks.${type}`, message: `has ${n} checks; the limit is ${MAX_HEALTHCHECKS_PER_TYPE} per process type` });
    }
  }
  return out;
}
