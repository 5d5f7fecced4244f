import { Cron } from 'croner';
import { SlipwayError } from '../lib/index.js';

/**
 * Cron schedules are checked when a release is made, so a bad schedule fails
 * the push instead of silently never firing at 3 a.m.
 */

const FIELDS_HELP = '5 fields: minute hour day month weekday';

const FIELDS = [
  { name: 'minute', range: '0-59' },
  { name: 'hour', range: '0-23' },
  { name: 'day', range: '1-31' },
  { name: 'month', range: '1-12 or JAN-DEC' },
  { name: 'weekday', range: '0-7 or SUN-SAT' },
] as const;

/** croner's names for the fields, in the order of its error messages. */
const CRONER_FIELDS = ['minute', 'hour', 'day', 'month', 'dayOfWeek'];

/** crontab's nicknames; croner lacks @midnight, which crontab defines as @daily. */
const NICKNAMES: Record<string, string> = {
  '@hourly': '@hourly',
  '@daily': '@daily',
  '@midnight': '@daily',
  '@weekly': '@weekly',
  '@monthly': '@monthly',
  '@yearly': '@yearly',
  '@annually': '@annually',
};

/** Why a schedule is not usable, or undefined when it is fine. */
export function findCronProblem(schedule: string): string | undefined {
  const shown = JSON.stringify(schedule.length > 100 ? `${schedule.slice(0, 100)}…` : schedule);
  const invalid = (why?: string): string => `${shown} is not a valid cron expression (${FIELDS_HELP})${why ? `: ${why}` : ''}`;
  const pattern = toPattern(schedule);
  if (pattern === '') return invalid('it is empty');
  if (pattern.startsWith('@')) {
    return NICKNAMES[pattern] === undefined ? invalid(`use one of ${Object.keys(NICKNAMES).join(', ')}`) : undefined;
  }
  const fields = pattern.split(' ');
  if (fields.length === 6 || fields.length === 7) return invalid(`it has ${fields.length} fields; a seconds (or year) field is not supported`);
  if (fields.length !== 5) return invalid(`it has ${fields.length} field${fields.length === 1 ? '' : 's'}`);
  // croner reads "?" as "the time the job was created", which no crontab does.
  if (pattern.includes('?')) return invalid('"?" is not supported; use "*"');
  let job: Cron;
  try {
    job = newCron(pattern, undefined);
  } catch (err) {
    return invalid(explainCronerError(err, fields));
  }
  if (job.nextRun() === null) return `${shown} never matches a date`;
  return undefined;
}

/** Why a time zone is not usable, or undefined when Intl (and so croner) knows it. */
export function findTimeZoneProblem(tz: string): string | undefined {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: tz });
    return undefined;
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return `${JSON.stringify(tz)} is not a known IANA time zone (for example UTC or Europe/Paris)`;
  }
}

/** The next `n` times a validated schedule fires after `from`, in `tz` (default: the server's zone). */
export function nextCronRuns(schedule: string, tz: string | undefined, from: Date, n: number): Date[] {
  const problem = findCronProblem(schedule) ?? (tz === undefined ? undefined : findTimeZoneProblem(tz));
  if (problem !== undefined) throw new SlipwayError('E_APP_JSON_INVALID', `cron: ${problem}`);
  return newCron(toPattern(schedule), tz).nextRuns(n, from);
}

/** Whitespace-normalised, nicknames lower-cased and mapped to what croner understands. */
function toPattern(schedule: string): string {
  const pattern = schedule.trim().split(/\s+/).join(' ');
  if (!pattern.startsWith('@')) return pattern;
  return NICKNAMES[pattern.toLowerCase()] ?? pattern.toLowerCase();
}

function newCron(pattern: string, tz: string | undefined): Cron {
  // legacyMode: a job fires when day-of-month OR weekday matches, as in crontab.
  return new Cron(pattern, { paused: true, legacyMode: true, ...(tz === undefined ? {} : { timezone: tz }) });
}

/** croner reports out-of-range values shifted by its internal offsets; name the user's own field instead. */
function explainCronerError(err: unknown, fields: string[]): string {
  if (!(err instanceof Error)) throw err;
  const m = /^CronPattern: Invalid value for (\w+)/.exec(err.message);
  const index = m ? CRONER_FIELDS.indexOf(m[1] ?? '') : -1;
  const field = FIELDS[index];
  if (field !== undefined) return `${field.name} field ${JSON.stringify(fields[index])} is out of range (${field.range})`;
  return err.message.replace(/^CronPattern: /, '');
}
