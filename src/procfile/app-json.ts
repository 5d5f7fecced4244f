import type { z } from 'zod';
import { SlipwayError } from '../lib/index.js';
import { AppJsonSchema, type AppManifest } from './app-json-schema.js';
import { describeJsonError } from './json-position.js';

export type { AppManifest, AppScripts, CronConcurrency, CronJob, EnvSpec, FormationSpec, HealthCheck, HealthCheckType } from './app-json-schema.js';
export { nextCronRuns } from './cron.js';

/** Enough to fix several mistakes per push without burying the first one. */
const MAX_REPORTED = 10;
const MAX_DEPTH = 64;

/**
 * Parses app.json text. Every problem is reported with its path
 * (`app.json: formation.web.quantity: ...`), one per line, so a push shows
 * them all at once instead of one per attempt.
 */
export function parseAppJson(text: string, file = 'app.json'): AppManifest {
  const data = parseJson(text.replace(/^\uFEFF/, ''), file);
  checkKeysAndDepth(data, [], file);
  const r = AppJsonSchema.safeParse(data, { error: defaultMessage });
  if (r.success) return r.data;
  const problems = dedupeByPath(flattenIssues(r.error.issues, []));
  const lines = problems.slice(0, MAX_REPORTED).map((p) => located(file, p.path, p.message));
  if (problems.length > MAX_REPORTED) lines.push(`${file}: …and ${problems.length - MAX_REPORTED} more problems`);
  const unknownTopLevel = r.error.issues.some((i) => i.code === 'unrecognized_keys' && i.path.length === 0);
  const hint = unknownTopLevel ? `supported keys: ${Object.keys(AppJsonSchema.shape).join(', ')}` : undefined;
  throw new SlipwayError('E_APP_JSON_INVALID', lines.join('\n'), hint === undefined ? {} : { hint });
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    const p = describeJsonError(text, err);
    throw new SlipwayError('E_APP_JSON_INVALID', `${file}: invalid JSON at line ${p.line}, column ${p.column}: ${p.reason}`, {
      hint: 'app.json must be strict JSON: double-quoted keys and strings, no comments, no trailing commas',
      cause: err,
    });
  }
}

/**
 * JSON.parse keeps "__proto__" as an ordinary key, but zod's records drop it
 * without a word and any later `obj[key] = ...` copy would set a prototype.
 * JSON.parse copes with any depth while this walk and zod recurse, so bound it.
 */
function checkKeysAndDepth(value: unknown, path: PropertyKey[], file: string): void {
  if (typeof value !== 'object' || value === null) return;
  const fail = (what: string): never => {
    throw new SlipwayError('E_APP_JSON_INVALID', located(file, formatPath(path), what));
  };
  if (path.length > MAX_DEPTH) fail(`nested more than ${MAX_DEPTH} levels deep`);
  for (const [key, child] of Object.entries(value)) {
    if (key === '__proto__') fail('key "__proto__" is not allowed');
    checkKeysAndDepth(child, [...path, Array.isArray(value) ? Number(key) : key], file);
  }
}

interface Problem {
  path: string;
  message: string;
}

/**
 * Unions report every branch's failure; show the branch that got furthest
 * (e.g. `env.KEY.value: must be a string`), or the union's own message when
 * the value matched no branch's type at all.
 */
function flattenIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[]): Problem[] {
  return issues.flatMap((issue): Problem[] => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union') {
      const branch = issue.errors.find((errs) => errs.some((e) => e.path.length > 0 || e.code !== 'invalid_type'));
      if (branch !== undefined) return flattenIssues(branch, path);
    }
    if (issue.code === 'invalid_key') {
      return [{ path: formatPath(path), message: `key ${issue.issues[0]?.message ?? 'is not allowed'}` }];
    }
    return [{ path: formatPath(path), message: issue.message }];
  });
}

/** One problem per path: an out-of-range number can fail two checks that say the same thing. */
function dedupeByPath(problems: Problem[]): Problem[] {
  const byPath = new Map<string, Problem>();
  for (const p of problems) if (!byPath.has(p.path)) byPath.set(p.path, p);
  return [...byPath.values()];
}

function located(file: string, path: string, message: string): string {
  return path === '' ? `${file}: ${message}` : `${file}: ${path}: ${message}`;
}

/** `formation.web.quantity`, `cron[2].schedule`, `env["odd key"]`. */
function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((seg, i) => {
      if (typeof seg === 'number') return `[${seg}]`;
      const key = String(seg);
      if (/^[A-Za-z0-9_-]+$/.test(key)) return i === 0 ? key : `.${key}`;
      return `[${JSON.stringify(key)}]`;
    })
    .join('');
}

/** Messages for checks that carry none of their own, in the same voice as ours. */
function defaultMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${article(issue.expected)} (got ${describe(issue.input)})`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'invalid_value':
      return `must be ${issue.values.length > 1 ? 'one of ' : ''}${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return issue.origin === 'array' ? `must have at least ${String(issue.minimum)} item(s)` : undefined;
    default:
      return undefined;
  }
}

function article(expected: string): string {
  const names: Record<string, string> = { record: 'an object', object: 'an object', array: 'an array', int: 'an integer', number: 'a number', string: 'a string', boolean: 'true or false' };
  return names[expected] ?? expected;
}

function describe(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  if (typeof input === 'object') return 'an object';
  return `a ${typeof input}`;
}
