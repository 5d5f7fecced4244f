/**
 * Turns a JSON.parse failure into "line 3, column 7: reason". Node 20's V8
 * reports an offset for most syntax errors but not for "Unexpected token",
 * which is the most common one (a trailing comma's neighbour, single quotes,
 * a comment), so for those we find the offset with a small scanner.
 */

export interface JsonSyntaxProblem {
  line: number;
  column: number;
  reason: string;
}

export function describeJsonError(text: string, err: SyntaxError): JsonSyntaxProblem {
  const offset = jsonErrorOffset(text, err.message);
  return { ...lineColumn(text, offset), reason: cleanReason(err.message) };
}

function jsonErrorOffset(text: string, message: string): number {
  const m = / at position (\d+)/.exec(message);
  if (m) return Number(m[1]);
  if (message.includes('Unexpected end of JSON input')) return text.length;
  return scanForError(text) ?? 0;
}

/** V8 appends the offset and a copy of the input; we say where in lines and columns instead. */
function cleanReason(message: string): string {
  return message.replace(/(?: in JSON)? at position \d+.*$/s, '').replace(/, ".*" is not valid JSON$/s, '');
}

/** 1-based; CRLF, LF and lone CR each end a line, as editors count them. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const breaks = /\r\n|\r|\n/g;
  for (let m = breaks.exec(text); m !== null && m.index < offset; m = breaks.exec(text)) {
    line++;
    lineStart = m.index + m[0].length;
  }
  return { line, column: Math.max(offset - lineStart, 0) + 1 };
}

const WS = /[ \t\n\r]*/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** Offset of the first character that makes `s` invalid JSON, or undefined if it is valid. */
function scanForError(s: string): number | undefined {
  const closers: string[] = []; // '}' or ']' for each open container
  let want: 'value' | 'key' | 'after' = 'value';
  let justOpened = false; // an empty container may close where a value or key was wanted
  let i = 0;
  for (;;) {
    i = matchEnd(WS, s, i) ?? i;
    if (i >= s.length) return want === 'after' && closers.length === 0 ? undefined : i;
    const c = s[i];
    const closer = closers.at(-1);
    if (c === closer && (justOpened || want === 'after')) {
      closers.pop();
      [i, want, justOpened] = [i + 1, 'after', false];
      continue;
    }
    justOpened = false;
    if (want === 'after') {
      if (c !== ',' || closer === undefined) return i;
      [i, want] = [i + 1, closer === '}' ? 'key' : 'value'];
    } else if (want === 'key') {
      const end = matchEnd(STRING, s, i);
      if (end === undefined) return i;
      i = matchEnd(WS, s, end) ?? end;
      if (s[i] !== ':') return i;
      [i, want] = [i + 1, 'value'];
    } else if (c === '{' || c === '[') {
      closers.push(c === '{' ? '}' : ']');
      [i, want, justOpened] = [i + 1, c === '{' ? 'key' : 'value', true];
    } else {
      const end = matchEnd(STRING, s, i) ?? matchEnd(NUMBER, s, i) ?? literalEnd(s, i);
      if (end < 0) return -end - 1;
      [i, want] = [end, 'after'];
    }
  }
}

function matchEnd(re: RegExp, s: string, at: number): number | undefined {
  re.lastIndex = at;
  return re.test(s) ? re.lastIndex : undefined;
}

/**
 * End of true/false/null at `at`; a misspelling is encoded as -(offset + 1) of
 * its first wrong character, which is where V8 complains.
 */
function literalEnd(s: string, at: number): number {
  const word = ['true', 'false', 'null'].find((w) => w[0] === s[at]);
  if (word === undefined) return -at - 1;
  let k = 0;
  while (k < word.length && s[at + k] === word[k]) k++;
  return k === word.length ? at + k : -(at + k) - 1;
}
