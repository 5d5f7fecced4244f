/** Procfile: `type: command` lines → process types in file order; `web` is the one that gets `$PORT`. */
export { parseProcfile, isWebType, PROCESS_TYPE_RULE, MAX_PROCESS_TYPES, MAX_PROCFILE_LINE_BYTES, type ProcessTypes } from './procfile.js';

/** app.json: Heroku's manifest plus Dokku's healthchecks and cron; JSON with comments; unknown keys are warnings. */
export { parseAppJson, type ParsedAppJson } from './app-json.js';
export { MAX_CRON_JOBS, MAX_HEALTHCHECKS_PER_TYPE, MAX_ENV_ENTRIES } from './app-json-limits.js';
export { MEMORY_RULE, type AppManifest, type AppScripts, type CronConcurrency, type CronJob, type EnvSpec, type FormationSpec, type HealthCheck, type HealthCheckType } from './app-json-schema.js';

/** Cron schedules (5-field crontab syntax or @daily-style nicknames): validation and upcoming run times. */
export { nextCronRuns, findCronProblem, findTimeZoneProblem } from './cron.js';

/** app.json `env` on an app's first deploy: values, generated secrets, required keys. */
export { planAppEnv, type AppEnvPlan } from './app-env.js';

/** app.json formation memory: `memory` or Heroku's dyno `size`, in MB. */
export { formationMemoryMb, isKnownSize } from './formation.js';
