/** One-off runs and (next) cron: started as one-off instances of the current release, recorded with their exit codes. */
export { RunService, MAX_CONCURRENT_RUNS, DEFAULT_RUN_TIMEOUT_MS, type RunRequest } from './runs.js';
export { RunSession } from './run-session.js';
export type { RunRecord, RunRecords } from './types.js';
export { CronService, jobId, type CronJobView, type CronDeps } from './cron.js';
