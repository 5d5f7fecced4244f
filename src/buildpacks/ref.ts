import path from 'node:path';
import { SlipwayError } from '../lib/index.js';

/** Where a buildpack comes from, as the user wrote it (`spec`) plus its parsed parts. */
export interface BuildpackRef {
  kind: 'builtin' | 'path' | 'git';
  spec: string;
  name?: string;
  path?: string;
  url?: string;
  ref?: string;
}

/** Detection order when the user set no buildpacks: most specific first, Procfile-only last. */
export const BUILTIN_ORDER = ['function', 'nodejs', 'python', 'perl', 'static', 'procfile'] as const;
export type BuiltinName = (typeof BUILTIN_ORDER)[number];

const BUILTIN_ALIASES: Record<string, BuiltinName> = {
  function: 'function',
  nodejs: 'nodejs',
  python: 'python',
  perl: 'perl',
  static: 'static',
  procfile: 'procfile',
  'heroku/nodejs': 'nodejs',
  'heroku/python': 'python',
};

const ACCEPTED_HINT =
  'use a built-in name (function, nodejs, python, perl, static, procfile, heroku/nodejs, heroku/python), ' +
  'an absolute path to a buildpack directory, or a git URL (https://, http://, git://, file://) with an optional #ref';

// A git ref that cannot be mistaken for an option or a path trick: no leading '-', no '..', no
// '@{' (reflog syntax), only the characters real branch/tag names use.
const GIT_REF = /^(?!-)(?!.*\.\.)(?!.*@\{)[A-Za-z0-9._/+-]{1,200}$/;
const URL_SCHEME = /^(https?|git|file):\/\//;

function invalid(input: string, why: string): SlipwayError {
  return new SlipwayError('E_BUILDPACK_INVALID', `buildpack ${JSON.stringify(input)}: ${why}`, { hint: ACCEPTED_HINT });
}

/**
 * Parses what a user typed after `buildpacks:set` (or wrote in app.json) into a ref. Anything
 * not clearly one of the accepted forms is refused here, at the edge, so later code can hand
 * `url` and `ref` to git as plain arguments without second-guessing them.
 */
export function parseBuildpackRef(input: string): BuildpackRef {
  if (input.length === 0) throw invalid(input, 'is empty');
  // Whitespace and control characters are never part of a legitimate name, path or URL here.
  if (/[\s\x00-\x1f\x7f]/.test(input)) throw invalid(input, 'contains whitespace or control characters');
  const builtin = BUILTIN_ALIASES[input];
  if (builtin) return { kind: 'builtin', spec: input, name: builtin };
  if (input.startsWith('/')) return { kind: 'path', spec: input, path: path.resolve(input) };
  if (URL_SCHEME.test(input)) return parseGitUrl(input);
  throw invalid(input, 'is not a built-in name, an absolute path or a git URL');
}

function parseGitUrl(input: string): BuildpackRef {
  const hash = input.indexOf('#');
  const url = hash === -1 ? input : input.slice(0, hash);
  const ref = hash === -1 ? undefined : input.slice(hash + 1);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw invalid(input, `is not a valid URL (${(err as Error).message})`);
  }
  if (parsed.protocol !== 'file:' && parsed.hostname === '') throw invalid(input, 'has no host');
  if (ref !== undefined && !GIT_REF.test(ref)) throw invalid(input, `has an invalid git ref ${JSON.stringify(ref)}`);
  const name = repoName(parsed.pathname);
  return ref === undefined ? { kind: 'git', spec: input, url, name } : { kind: 'git', spec: input, url, ref, name };
}

/** `https://github.com/heroku/heroku-buildpack-nodejs.git` → `heroku-buildpack-nodejs`. */
function repoName(pathname: string): string {
  const last = pathname.split('/').filter(Boolean).pop() ?? 'buildpack';
  return last.replace(/\.git$/, '') || 'buildpack';
}

/** The built-in buildpacks in detection order, as refs ready for resolveBuildpacks(). */
export function builtinRefs(): BuildpackRef[] {
  return BUILTIN_ORDER.map((name) => ({ kind: 'builtin', spec: name, name }));
}
