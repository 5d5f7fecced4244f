import { createScanner, parseTree, type Node, type ParseError } from 'jsonc-parser';
import { SlipwayError } from '../lib/index.js';

/**
 * JSON as Dokku reads app.json: comments and trailing commas allowed, a real
 * syntax error reported with line and column. jsonc-parser (the parser VS
 * Code uses for settings files) does the reading; this file bounds nesting
 * before it recurses and builds plain objects itself, so `"__proto__"` is
 * refused instead of setting a prototype the way `obj[key] = v` would.
 */

export const MAX_JSON_DEPTH = 64;

// jsonc-parser's SyntaxKind and ParseErrorCode are const enums, which a
// per-file compile cannot inline: the values are copied from its typings.
const OPEN_BRACE = 1;
const CLOSE_BRACE = 2;
const OPEN_BRACKET = 3;
const CLOSE_BRACKET = 4;
const EOF = 17;

const REASONS: Record<number, string> = {
  1: 'unexpected character',
  2: 'invalid number',
  3: 'expected a double-quoted property name',
  4: 'expected a value',
  5: 'expected ":"',
  6: 'expected "," or a closing bracket',
  7: 'expected "}"',
  8: 'expected "]"',
  9: 'expected the end of the file',
  10: 'invalid comment',
  11: 'unterminated comment',
  12: 'unterminated string',
  13: 'unterminated number',
  14: 'invalid unicode escape',
  15: 'invalid escape character',
  16: 'invalid character in a string',
};

export function parseJsonc(text: string, file: string): unknown {
  checkDepth(text, file);
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  const first = errors[0];
  if (first !== undefined || root === undefined) {
    const offset = first?.offset ?? text.length;
    const reason = offset >= text.length ? 'the file ends too early' : (REASONS[first?.error ?? 0] ?? 'invalid JSON');
    const { line, column } = lineColumn(text, offset);
    throw new SlipwayError('E_APP_JSON_INVALID', `${file}: invalid JSON at line ${line}, column ${column}: ${reason}`, {
      hint: `${file} is JSON (comments and trailing commas are allowed): double-quoted keys and strings`,
    });
  }
  return toValue(root, [], file);
}

/** The scanner is a loop, not a recursion: it counts depth where the parser would overflow the stack. */
function checkDepth(text: string, file: string): void {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let kind = scanner.scan(); kind !== EOF; kind = scanner.scan()) {
    if (kind === OPEN_BRACE || kind === OPEN_BRACKET) depth++;
    else if (kind === CLOSE_BRACE || kind === CLOSE_BRACKET) depth--;
    if (depth > MAX_JSON_DEPTH) {
      const { line, column } = lineColumn(text, scanner.getTokenOffset());
      throw new SlipwayError('E_APP_JSON_INVALID', `${file}: nested more than ${MAX_JSON_DEPTH} levels deep (line ${line}, column ${column})`);
    }
  }
}

function toValue(node: Node, path: (string | number)[], file: string): unknown {
  switch (node.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const prop of node.children ?? []) {
        const [keyNode, valueNode] = prop.children ?? [];
        if (keyNode === undefined || valueNode === undefined) continue; // only in trees with errors, refused above
        const key = String(keyNode.value);
        if (key === '__proto__') {
          const where = path.length === 0 ? '' : `${formatPath(path)}: `;
          throw new SlipwayError('E_APP_JSON_INVALID', `${file}: ${where}key "__proto__" is not allowed`);
        }
        out[key] = toValue(valueNode, [...path, key], file);
      }
      return out;
    }
    case 'array':
      return (node.children ?? []).map((c, i) => toValue(c, [...path, i], file));
    default:
      return node.value;
  }
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

/** `formation.web.quantity`, `cron[2].schedule`, `env["odd key"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((seg, i) => {
      if (typeof seg === 'number') return `[${seg}]`;
      const key = String(seg);
      if (/^[A-Za-z0-9_-]+$/.test(key)) return i === 0 ? key : `.${key}`;
      return `[${JSON.stringify(key)}]`;
    })
    .join('');
}
