import { SlipwayError } from '../lib/index.js';

/** Where a line came from: the app's own output, the router, a build, or the platform (deploys, scale, crashes). */
export type LogSource = 'app' | 'router' | 'build' | 'platform';

export const LOG_SOURCES: readonly LogSource[] = ['app', 'router', 'build', 'platform'];

/** One line of an app's stream. */
export interface LogEntry {
  /** ISO 8601, UTC. */
  time: string;
  source: LogSource;
  /** The instance it concerns, e.g. `web.1`; absent for router, build and app-wide platform lines. */
  ps?: string;
  /** The release that was running, e.g. `v3`. */
  release?: string;
  line: string;
}

/** What `logs --source/--ps/--release` selects. All given fields must match. */
export interface LogFilter {
  source?: LogSource;
  /** `web` matches web.1, web.2 …; `web.2` matches only web.2. */
  ps?: string;
  release?: string;
}

/** Longer lines are cut here (bytes of UTF-8) so one runaway app cannot fill its cap with a single line. */
export const MAX_LINE_BYTES = 10 * 1024;

/** web, web.2, run.3, and cron jobs: cron.backup (cron.ID is how a job's runs are logged). */
const PS_RE = /^[a-z0-9_-]+(\.[a-z0-9_-]+)?$/;
const RELEASE_RE = /^v\d+$/;
const SOURCES = new Set<string>(LOG_SOURCES);

/**
 * Validates user input (query string or CLI flags) into a filter. Absent
 * (undefined/null) fields are left out; anything else must be well-formed.
 * Messages name the field and what is allowed, never echo the value.
 */
export function parseLogFilter(input: { source?: unknown; ps?: unknown; release?: unknown }): LogFilter {
  const filter: LogFilter = {};
  if (input.source != null) {
    if (typeof input.source !== 'string' || !SOURCES.has(input.source)) {
      throw invalid(`source: must be one of ${LOG_SOURCES.join(', ')}`, 'e.g. --source router');
    }
    filter.source = input.source as LogSource;
  }
  if (input.ps != null) {
    if (typeof input.ps !== 'string' || input.ps.length > 64 || !PS_RE.test(input.ps)) {
      throw invalid('ps: must be a process type (web), one instance of it (web.2), or a cron job (cron.ID)', 'e.g. --ps web, --ps web.2 or --ps cron.backup');
    }
    filter.ps = input.ps;
  }
  if (input.release != null) {
    if (typeof input.release !== 'string' || input.release.length > 16 || !RELEASE_RE.test(input.release)) {
      throw invalid('release: must be a release name: v followed by a number', 'e.g. --release v3; `slipway releases` lists them');
    }
    filter.release = input.release;
  }
  return filter;
}

function invalid(message: string, hint: string): SlipwayError {
  return new SlipwayError('E_VALIDATION', message, { hint });
}

/**
 * Heroku's line form: `TIME SOURCE[PS]: LINE`, e.g. `… app[web.1]: hello`,
 * `… router: at=info …`, `… platform[web.1]: crashed`. The release is kept out
 * of the text (as Heroku does) and offered in JSON output instead.
 */
export function formatEntry(e: LogEntry): string {
  return `${e.time} ${e.source}${e.ps === undefined ? '' : `[${e.ps}]`}: ${e.line}`;
}

export function matchesFilter(e: LogEntry, f: LogFilter | undefined): boolean {
  if (f === undefined) return true;
  if (f.source !== undefined && e.source !== f.source) return false;
  if (f.release !== undefined && e.release !== f.release) return false;
  if (f.ps !== undefined) {
    if (e.ps === undefined) return false;
    // A bare type matches its instances; an instance only itself.
    if (e.ps !== f.ps && !(!f.ps.includes('.') && e.ps.startsWith(`${f.ps}.`))) return false;
  }
  return true;
}

/**
 * Splits what a caller handed in into stored lines: one entry per line (so an
 * app cannot forge a second, differently-tagged line with an embedded newline;
 * a bare \r, as progress bars print, counts as a line end), lone surrogates
 * replaced with U+FFFD, long lines cut with a marker.
 */
export function cleanLines(text: string): string[] {
  const parts = /[\r\n]/.test(text) ? text.replace(/\r\n?/g, '\n').split('\n') : [text];
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts.map((p) => truncate(p.toWellFormed()));
}

function truncate(line: string): string {
  // A UTF-16 unit is at most 3 bytes of UTF-8: shorter strings cannot be too long, so most lines skip the byte count.
  if (line.length * 3 <= MAX_LINE_BYTES) return line;
  const bytes = Buffer.from(line, 'utf8');
  if (bytes.length <= MAX_LINE_BYTES) return line;
  let end = MAX_LINE_BYTES;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--; // do not split a character
  return `${bytes.subarray(0, end).toString('utf8')} [slipway: line truncated, ${bytes.length} bytes]`;
}

/** One NDJSON line on disk; short keys because there are millions of them. */
interface StoredEntry {
  t: string;
  s: LogSource;
  p?: string;
  r?: string;
  l: string;
}

export function encodeEntry(e: LogEntry): string {
  const o: StoredEntry = { t: e.time, s: e.source, l: e.line };
  if (e.ps !== undefined) o.p = e.ps;
  if (e.release !== undefined) o.r = e.release;
  return `${JSON.stringify(o)}\n`;
}

/** Reads one stored line back; undefined for anything torn or foreign, which readers skip. */
export function decodeEntry(raw: string): LogEntry | undefined {
  let o: unknown;
  try {
    o = JSON.parse(raw);
  } catch (err) {
    if (err instanceof SyntaxError) return undefined; // a line torn by a crash
    throw err;
  }
  if (typeof o !== 'object' || o === null) return undefined;
  const { t, s, p, r, l } = o as Record<string, unknown>;
  if (typeof t !== 'string' || typeof s !== 'string' || !SOURCES.has(s) || typeof l !== 'string') return undefined;
  if ((p !== undefined && typeof p !== 'string') || (r !== undefined && typeof r !== 'string')) return undefined;
  const e: LogEntry = { time: t, source: s as LogSource, line: l };
  if (p !== undefined) e.ps = p;
  if (r !== undefined) e.release = r;
  return e;
}
