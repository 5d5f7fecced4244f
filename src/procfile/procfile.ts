import { SlipwayError } from '../lib/index.js';

/**
 * Process type → command, in the order the Procfile lists them (except that
 * JavaScript puts all-digit names such as "2" first; Heroku allows those).
 */
export type ProcessTypes = Record<string, string>;

/** Heroku's rule for process type names; `__proto__` is refused separately. */
export const PROCESS_TYPE_RULE = /^[A-Za-z0-9_-]{1,63}$/;
export const MAX_PROCESS_TYPES = 100;
export const MAX_PROCFILE_LINE_BYTES = 8 * 1024;

const FORMAT_HINT = 'each line is "type: command", for example: web: node server.js';

/** `web` is the only type that gets `$PORT` and traffic; every other type is a worker. */
export function isWebType(name: string): boolean {
  return name === 'web';
}

/**
 * Parses a Procfile. Commands are kept verbatim: they run later under `sh -c`
 * as on Heroku, so `$PORT` and quotes are the shell's business, not ours.
 */
export function parseProcfile(text: string, file = 'Procfile'): ProcessTypes {
  // A Map, not an object, so names such as "constructor" cannot collide with
  // Object.prototype while we check for duplicates.
  const seen = new Map<string, { command: string; line: number }>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  lines.forEach((raw, i) => {
    const entry = parseLine(raw, i + 1, file);
    if (entry === undefined) return;
    const first = seen.get(entry.name);
    if (first !== undefined) {
      fail(file, entry.line, undefined, `duplicate process type "${entry.name}" (first defined on line ${first.line})`, 'give each process type a different name');
    }
    if (seen.size >= MAX_PROCESS_TYPES) {
      fail(file, entry.line, entry.name, `too many process types; the limit is ${MAX_PROCESS_TYPES}`);
    }
    seen.set(entry.name, entry);
  });
  // Object.fromEntries defines own properties, so even odd names stay plain data.
  return Object.fromEntries([...seen].map(([name, e]) => [name, e.command]));
}

interface Entry {
  name: string;
  command: string;
  line: number;
}

/** One line → an entry, or undefined for blank lines and comments. */
function parseLine(raw: string, line: number, file: string): Entry | undefined {
  const bytes = Buffer.byteLength(raw, 'utf8');
  if (bytes > MAX_PROCFILE_LINE_BYTES) {
    fail(file, line, undefined, `line is ${bytes} bytes; the limit is ${MAX_PROCFILE_LINE_BYTES}`, 'move long commands into a script in the repository and call it');
  }
  const trimmed = raw.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  const colon = trimmed.indexOf(':');
  if (colon < 0) fail(file, line, undefined, 'expected "type: command" but found no ":"', FORMAT_HINT);
  // Heroku writes no space before the colon; tolerating "web : cmd" costs nothing.
  const name = trimmed.slice(0, colon).trim();
  checkName(name, line, file);
  const command = stripTrailingComment(trimmed.slice(colon + 1)).trim();
  if (command === '') fail(file, line, name, 'empty command', FORMAT_HINT);
  // No argv can carry a NUL; failing here beats a spawn error at start time.
  if (command.includes('\0')) fail(file, line, name, 'command contains a NUL byte');
  return { name, command, line };
}

function checkName(name: string, line: number, file: string): void {
  if (name === '') fail(file, line, undefined, 'missing process type name before ":"', FORMAT_HINT);
  const shown = name.length > 64 ? `${name.slice(0, 64)}…` : name;
  if (!PROCESS_TYPE_RULE.test(name)) {
    fail(file, line, shown, 'invalid process type name: use 1 to 63 letters, digits, "_" or "-"', FORMAT_HINT);
  }
  // Consumers index plain objects by type name; this one would reach the prototype.
  if (name === '__proto__') fail(file, line, name, 'process type name "__proto__" is reserved');
}

/**
 * Drops a trailing ` # comment` the way sh would: `#` starts a comment only at
 * the start of a word and outside quotes, so `echo "a # b"`, `url/#frag` and
 * `echo \#` keep theirs. Anything we cannot be sure of is left for the shell.
 */
function stripTrailingComment(command: string): string {
  let quote: '"' | "'" | undefined;
  // The command begins a word, and so does whitespace; quoted or escaped
  // whitespace is consumed by the quote and backslash branches and never sets it.
  let wordStart = true;
  for (let i = 0; i < command.length; i++) {
    const c = command[i] ?? '';
    if (quote === "'") {
      if (c === "'") quote = undefined; // sh: no escapes inside single quotes
    } else if (c === '\\') {
      i++; // the next character is literal, so an escaped space does not end a word
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#' && wordStart) {
      return command.slice(0, i);
    }
    wordStart = /\s/.test(c);
  }
  return command;
}

function fail(file: string, line: number, name: string | undefined, what: string, hint?: string): never {
  const where = name === undefined ? `${file} line ${line}` : `${file} line ${line} (${name})`;
  throw new SlipwayError('E_PROCFILE_INVALID', `${where}: ${what}`, hint === undefined ? {} : { hint });
}
