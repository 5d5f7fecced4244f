import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SlipwayError } from '../lib/index.js';
import { isWebType, parseProcfile, MAX_PROCESS_TYPES } from './index.js';

/** Asserts a Procfile is refused with E_PROCFILE_INVALID and a message containing `expected`. */
function rejects(text: string, expected: string, file?: string): SlipwayError {
  let caught: unknown;
  try {
    parseProcfile(text, file);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof SlipwayError, `expected a SlipwayError, got ${String(caught)}`);
  assert.equal(caught.code, 'E_PROCFILE_INVALID');
  assert.ok(caught.message.includes(expected), `message ${JSON.stringify(caught.message)} lacks ${JSON.stringify(expected)}`);
  return caught;
}

describe('parseProcfile', () => {
  it('reads types and commands in file order, keeping $PORT literally', () => {
    const types = parseProcfile('web: node server.js --port $PORT\nworker: node worker.js\nrelease: ./migrate\n');
    assert.deepEqual(types, { web: 'node server.js --port $PORT', worker: 'node worker.js', release: './migrate' });
    assert.deepEqual(Object.keys(types), ['web', 'worker', 'release']);
  });

  it('accepts CRLF, lone CR and no trailing newline', () => {
    assert.deepEqual(parseProcfile('web: a\r\nworker: b\r\n'), { web: 'a', worker: 'b' });
    assert.deepEqual(parseProcfile('web: a\rworker: b'), { web: 'a', worker: 'b' });
    assert.deepEqual(parseProcfile('web: a'), { web: 'a' });
  });

  it('ignores a UTF-8 BOM', () => {
    assert.deepEqual(parseProcfile('\uFEFFweb: a\n'), { web: 'a' });
  });

  it('ignores comments and blank lines, and counts them in line numbers', () => {
    assert.deepEqual(parseProcfile('# comment\n\n   \n  # indented\nweb: a\n'), { web: 'a' });
    rejects('# comment\n\n   \n  # indented comment\nweb: a\n\nweb: b\n', 'Procfile line 7: duplicate process type "web" (first defined on line 5)');
  });

  it('trims whitespace around names and commands, and keeps inner spacing', () => {
    assert.deepEqual(parseProcfile('  web:   node  a.js   \t\nworker :b'), { web: 'node  a.js', worker: 'b' });
  });

  it('splits on the first colon only', () => {
    assert.deepEqual(parseProcfile('web: curl http://x:8080/a'), { web: 'curl http://x:8080/a' });
  });

  it('strips a trailing comment preceded by whitespace', () => {
    assert.deepEqual(parseProcfile('web: node a.js # the server\nworker: b\t# tab too'), { web: 'node a.js', worker: 'b' });
  });

  it('keeps # inside quotes, inside words and after a backslash', () => {
    const text = [
      'a: echo "a # b"',
      "b: echo 'a # b' # gone",
      'c: curl http://x/#frag',
      'd: echo a#b',
      'e: echo \\# kept',
      'f: echo "say \\"#\\" # still quoted"',
      'g: echo a\\ #b',
    ].join('\n');
    assert.deepEqual(parseProcfile(text), {
      a: 'echo "a # b"',
      b: "echo 'a # b'",
      c: 'curl http://x/#frag',
      d: 'echo a#b',
      e: 'echo \\# kept',
      f: 'echo "say \\"#\\" # still quoted"',
      g: 'echo a\\ #b',
    });
  });

  it('keeps commands verbatim: no expansion of variables, globs or substitutions', () => {
    const cmd = 'sh -c "$(touch x)" `id` ${HOME} *.js && exit 0';
    assert.equal(parseProcfile(`web: ${cmd}`)['web'], cmd);
  });

  it('accepts letters, digits, _ and - in names, up to 63 characters', () => {
    const long = 'a'.repeat(63);
    assert.deepEqual(parseProcfile(`Web_2-x: a\n${long}: b\n9: c`), { 'Web_2-x': 'a', [long]: 'b', '9': 'c' });
  });

  it('refuses invalid names with the line and the name', () => {
    rejects('web: a\nmy web: b', 'Procfile line 2 (my web): invalid process type name');
    rejects('web.1: a', 'Procfile line 1 (web.1): invalid process type name');
    rejects(`${'a'.repeat(64)}: a`, 'invalid process type name');
    rejects(': a', 'Procfile line 1: missing process type name');
    rejects('__proto__: a', 'Procfile line 1 (__proto__): process type name "__proto__" is reserved');
  });

  it('refuses a line without a colon', () => {
    const err = rejects('web: a\n\nnode server.js\n', 'Procfile line 3: expected "type: command"');
    assert.match(err.hint ?? '', /web: node server\.js/);
  });

  it('refuses an empty command, including one that is only a comment', () => {
    rejects('web:', 'Procfile line 1 (web): empty command');
    rejects('web:   \t', 'Procfile line 1 (web): empty command');
    rejects('worker: # todo', 'Procfile line 1 (worker): empty command');
  });

  it('names both lines of a duplicate', () => {
    rejects('\nweb: a\nworker: b\n\nweb: c\n', 'Procfile line 5: duplicate process type "web" (first defined on line 2)');
  });

  it('treats names as plain data, not object properties', () => {
    assert.deepEqual(parseProcfile('constructor: a\ntoString: b'), { constructor: 'a', toString: 'b' });
  });

  it('uses the given file name in messages', () => {
    rejects('oops', 'Procfile.dev line 1:', 'Procfile.dev');
  });

  it('limits the number of process types', () => {
    const lines = Array.from({ length: MAX_PROCESS_TYPES }, (_, i) => `p${i}: run`);
    assert.equal(Object.keys(parseProcfile(lines.join('\n'))).length, MAX_PROCESS_TYPES);
    rejects([...lines, 'extra: run'].join('\n'), `Procfile line ${MAX_PROCESS_TYPES + 1} (extra): too many process types; the limit is 100`);
  });

  it('limits line length to 8 KiB, counted in UTF-8 bytes', () => {
    const ok = `web: ${'x'.repeat(8192 - 5)}`;
    assert.equal(parseProcfile(ok)['web']?.length, 8192 - 5);
    rejects(`web: a\nweb2: ${'x'.repeat(8192)}`, 'Procfile line 2: line is 8198 bytes; the limit is 8192');
    rejects(`web: ${'é'.repeat(4094)}`, 'line is 8193 bytes');
  });

  it('refuses a NUL byte in a command', () => {
    rejects('web: a\0b', 'Procfile line 1 (web): command contains a NUL byte');
  });

  it('returns no types for an empty or comment-only file', () => {
    assert.deepEqual(parseProcfile(''), {});
    assert.deepEqual(parseProcfile('# nothing yet\n'), {});
  });
});

describe('isWebType', () => {
  it('is true only for "web"', () => {
    assert.equal(isWebType('web'), true);
    assert.equal(isWebType('Web'), false);
    assert.equal(isWebType('worker'), false);
  });
});
