import type { z } from 'zod';
import { SlipwayError } from '../lib/index.js';
import { AppJsonSchema, type AppManifest } from './app-json-schema.js';
import { findLimitProblems } from './app-json-limits.js';
import { formatPath, parseJsonc } from './jsonc.js';
import { findUnknownKeys } from './unknown-keys.js';
import { isKnownSize } from './formation.js';

export type { AppManifest, AppScripts, CronConcurrency, CronJob, EnvSpec, FormationSpec, HealthCheck, HealthCheckType } from './app-json-schema.js';
export { nextCronRuns } from './cron.js';

/** Enough to fix several mistakes per push without burying the first one. */
const MAX_REPORTED = 10;

export interface ParsedAppJson {
  manifest: AppManifest;
  /** Said once in the build log; never a failure (keys Slipway does not use, add-ons it cannot provision). */
  warnings: string[];
}

/**
 * Parses app.json text as Heroku and Dokku read it: comments and trailing
 * commas allowed, unknown keys kept and reported as warnings. Known keys
 * with wrong values are errors, each reported with its path
 * (`app.json: formation.web.quantity: ...`), one per line, so a push shows
 * them all at once instead of one per attempt.
 */
export function parseAppJson(text: string, file = 'app.json'): ParsedAppJson {
  const data = parseJsonc(text.replace(/^\uFEFF/, ''), file);
  const over = findLimitProblems(data);
  if (over.length > 0) throw new SlipwayError('E_APP_JSON_INVALID', over.map((p) => located(file, p.path, p.message)).join('\n'));
  const r = AppJsonSchema.safeParse(data, { error: defaultMessage });
  if (r.success) return { manifest: r.data, warnings: warningsFor(data, r.data, file) };
  const problems = dedupeByPath(flattenIssues(r.error.issues, []));
  const lines = problems.slice(0, MAX_REPORTED).map((p) => located(file, p.path, p.message));
  if (problems.length > MAX_REPORTED) lines.push(`${file}: …and ${problems.length - MAX_REPORTED} more problems`);
  throw new SlipwayError('E_APP_JSON_INVALID', lines.join('\n'));
}

function warningsFor(data: unknown, manifest: AppManifest, file: string): string[] {
  const unknown = findUnknownKeys(AppJsonSchema, data).map((u) => located(file, formatPath(u.path), `${JSON.stringify(u.key)} is not used by Slipway`));
  const addons = (manifest.addons ?? []).map((a) => (typeof a === 'string' ? a : typeof a.plan === 'string' ? a.plan : JSON.stringify(a)));
  for (const [type, f] of Object.entries(manifest.formation ?? {})) {
    if (f.size !== undefined && f.memory === undefined && !isKnownSize(f.size)) unknown.push(`${file}: formation.${type}.size: "${f.size}" is not a size Slipway knows (use memory, e.g. "512M"); no memory limit is set from it`);
  }
  if (addons.length > 0) unknown.push(`${file}: addons not provisioned (Slipway has no add-ons yet): ${addons.join(', ')}`);
  return unknown;
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

/** Messages for checks that carry none of their own, in the same voice as ours. */
function defaultMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${article(issue.expected)} (got ${describe(issue.input)})`;
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
