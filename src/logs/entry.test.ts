import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlipwayError } from '../lib/index.js';
import { cleanLines, decodeEntry, encodeEntry, formatEntry, matchesFilter, MAX_LINE_BYTES, parseLogFilter, type LogEntry } from './entry.js';

const T = '2026-11-21T23:58:38.273Z';

test('formatEntry prints Heroku’s form, release left out of the text', () => {
  assert.equal(formatEntry({ time: T, source: 'app', ps: 'web.1', release: 'v3', line: 'hello' }), `${T} app[web.1]: hello`);
  assert.equal(formatEntry({ time: T, source: 'router', line: 'at=info method=GET path="/" status=200' }), `${T} router: at=info method=GET path="/" status=200`);
  assert.equal(formatEntry({ time: T, source: 'platform', release: 'v4', line: 'Scaled to web=2' }), `${T} platform: Scaled to web=2`);
  assert.equal(formatEntry({ time: T, source: 'platform', ps: 'web.2', line: 'State changed from up to crashed' }), `${T} platform[web.2]: State changed from up to crashed`);
  assert.equal(formatEntry({ time: T, source: 'build', line: '-----> Node.js app detected' }), `${T} build: -----> Node.js app detected`);
  assert.equal(formatEntry({ time: T, source: 'app', ps: 'run.1', line: '' }), `${T} app[run.1]: `);
});

test('parseLogFilter accepts the documented forms and leaves absent fields out', () => {
  assert.deepEqual(parseLogFilter({}), {});
  assert.deepEqual(parseLogFilter({ source: undefined, ps: null, release: undefined }), {});
  assert.deepEqual(parseLogFilter({ source: 'router' }), { source: 'router' });
  assert.deepEqual(parseLogFilter({ source: 'app', ps: 'web', release: 'v3' }), { source: 'app', ps: 'web', release: 'v3' });
  assert.deepEqual(parseLogFilter({ ps: 'web.12' }), { ps: 'web.12' });
  assert.deepEqual(parseLogFilter({ ps: 'my_worker-2' }), { ps: 'my_worker-2' });
});

test('parseLogFilter rejects bad input naming the field and what is allowed', () => {
  const rejects = (input: Record<string, unknown>, field: string, allowed: RegExp): void => {
    assert.throws(
      () => parseLogFilter(input),
      (err: unknown) => {
        assert.ok(err instanceof SlipwayError, 'a SlipwayError');
        assert.equal(err.code, 'E_VALIDATION');
        assert.ok(err.message.startsWith(`${field}: `), err.message);
        assert.match(err.message, allowed);
        assert.ok(err.hint, 'with a hint');
        return true;
      },
      JSON.stringify(input),
    );
  };
  for (const source of ['apps', 'APP', '', 'heroku', 5, ['app']]) rejects({ source }, 'source', /app, router, build, platform/);
  for (const ps of ['WEB', 'web.', '../etc', 'web.1.2', '', 'web 1', 1, 'a'.repeat(65)]) rejects({ ps }, 'ps', /process type \(web\).*\(web\.2\)/);
  for (const release of ['3', 'V3', 'v', 'v3a', 'v-1', '', 3]) rejects({ release }, 'release', /v followed by a number/);
});

test('parseLogFilter never echoes the value it rejects', () => {
  assert.throws(() => parseLogFilter({ ps: '<script>' }), (err: Error) => !err.message.includes('<script>'));
});

test('matchesFilter: a bare type matches its instances, an instance only itself', () => {
  const e = (ps?: string, source: LogEntry['source'] = 'app', release = 'v1'): LogEntry => ({ time: T, source, release, line: 'x', ...(ps ? { ps } : {}) });
  assert.ok(matchesFilter(e('web.1'), { ps: 'web' }));
  assert.ok(matchesFilter(e('web.2'), { ps: 'web.2' }));
  assert.ok(!matchesFilter(e('web.1'), { ps: 'web.2' }));
  assert.ok(!matchesFilter(e('web.12'), { ps: 'web.1' }));
  assert.ok(!matchesFilter(e('webby.1'), { ps: 'web' }), 'a prefix of the type name is not the type');
  assert.ok(!matchesFilter(e(undefined, 'router'), { ps: 'web' }));
  assert.ok(matchesFilter(e('web.1', 'platform'), { ps: 'web' }));
  assert.ok(!matchesFilter(e('web.1'), { source: 'router' }));
  assert.ok(matchesFilter(e('web.1'), { release: 'v1', source: 'app', ps: 'web' }));
  assert.ok(!matchesFilter(e('web.1'), { release: 'v2' }));
  assert.ok(matchesFilter(e('web.1'), undefined));
});

test('cleanLines: one entry per line, lone surrogates replaced, long lines cut with a marker', () => {
  assert.deepEqual(cleanLines('hello'), ['hello']);
  assert.deepEqual(cleanLines('hello\n'), ['hello']);
  assert.deepEqual(cleanLines('a\r\nb\rc\n\nd'), ['a', 'b', 'c', '', 'd']);
  assert.deepEqual(cleanLines(''), ['']);
  assert.deepEqual(cleanLines('bad \ud800 half'), ['bad \ufffd half']);
  const [long] = cleanLines('é'.repeat(MAX_LINE_BYTES)); // 2 bytes each: twice the limit
  assert.ok(long?.startsWith('é'.repeat(MAX_LINE_BYTES / 2)));
  assert.ok(long?.endsWith(` [slipway: line truncated, ${2 * MAX_LINE_BYTES} bytes]`), long?.slice(-60));
  assert.ok(!long?.includes('\ufffd'), 'not cut inside a character');
  const exact = 'x'.repeat(MAX_LINE_BYTES);
  assert.deepEqual(cleanLines(exact), [exact]);
});

test('encodeEntry/decodeEntry round-trip; foreign or torn lines decode to undefined', () => {
  const e: LogEntry = { time: T, source: 'app', ps: 'web.1', release: 'v3', line: 'say "hi"\t\u0001' };
  const raw = encodeEntry(e);
  assert.ok(raw.endsWith('\n') && !raw.slice(0, -1).includes('\n'));
  assert.deepEqual(decodeEntry(raw.trimEnd()), e);
  assert.deepEqual(decodeEntry(encodeEntry({ time: T, source: 'router', line: 'r' })), { time: T, source: 'router', line: 'r' });
  for (const bad of [raw.slice(0, 20), '', 'null', '[]', '{"t":"x","s":"evil","l":"x"}', '{"t":"x","s":"app"}', '{"t":"x","s":"app","l":"x","p":5}']) {
    assert.equal(decodeEntry(bad), undefined, bad);
  }
});
