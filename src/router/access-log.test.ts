import assert from 'node:assert/strict';
import test from 'node:test';
import { herokuLine, parseLogLine, quote, routerError, type LogRecord } from './access-log.js';
import { LOG_FIELDS, LOG_SEP } from './config.js';

const TAG = 'slw0123abcd';

const record = (over: Partial<LogRecord> = {}): LogRecord => ({
  backend: 'app_hello',
  server: 's1',
  method: 'GET',
  status: '200',
  bytes: '123',
  TR: '0',
  Tw: '0',
  Tc: '1',
  Ta: '13',
  client: '127.0.0.1',
  rid: 'abc',
  term: '----',
  code: '-',
  proto: 'http',
  host: 'hello.localhost',
  path: '/',
  ...over,
});

const logLine = (r: LogRecord, tag = TAG): string => [tag, ...LOG_FIELDS.map(([k]) => r[k])].join(LOG_SEP);

test('a line parses back into its fields; other messages and lines without our secret tag are ignored', () => {
  const r = record({ path: '/a b' });
  assert.deepEqual(parseLogLine(logLine(r), TAG), r);
  assert.equal(parseLogLine('Server app_x/s1 is UP/READY (leaving forced maintenance).', TAG), undefined);
  assert.equal(parseLogLine(`${TAG}${LOG_SEP}too${LOG_SEP}few`, TAG), undefined);
  assert.equal(parseLogLine(logLine(r, 'slw-forged'), TAG), undefined, 'a local process that guesses the format still lacks the tag');
});

test('an ordinary request becomes a Heroku at=info line', () => {
  assert.equal(
    herokuLine(record(), 'web.1'),
    'at=info method=GET path="/" host=hello.localhost request_id=abc fwd="127.0.0.1" dyno=web.1 connect=1ms service=12ms status=200 bytes=123 protocol=http',
  );
});

test('H14 and H10 come from the code var, with empty dyno/connect/service', () => {
  const line = herokuLine(record({ server: '<NOSRV>', code: 'H14', Tw: '-1', Tc: '-1', status: '503' }), undefined);
  assert.match(line, /^at=error code=H14 desc="No web processes running" method=GET .* dyno= connect= service= status=503 /);
  assert.equal(routerError(record({ code: 'H10' }))?.code, 'H10');
});

test('termination states map to Heroku codes', () => {
  const code = (term: string): string | undefined => routerError(record({ term }))?.code;
  assert.equal(code('sH--'), 'H12');
  assert.equal(code('SH--'), 'H13');
  assert.equal(code('SD--'), 'H18');
  assert.equal(code('SC--'), 'H10');
  assert.equal(code('sC--'), 'H19');
  assert.equal(code('PH--'), 'H17');
  assert.equal(code('----'), undefined);
  assert.equal(routerError(record({ term: 'CD--', status: '101' })), undefined, 'a WebSocket closed by its client');
  assert.equal(routerError(record({ term: 'CD--' }))?.at, 'info', 'a client going away is not an app error');
  assert.match(herokuLine(record({ term: 'CH--', status: '-1' }), 'web.1'), / status=499 /);
});

test('values cannot break the line', () => {
  assert.equal(quote('a "b" \\ c\nd'), '"a \\"b\\" \\\\ c\\x0ad"');
  const line = herokuLine(record({ path: '/x" at=error code=H99', rid: 'bad id' }), 'web.1');
  assert.match(line, / path="\/x\\" at=error code=H99" /);
  assert.match(line, / request_id="bad id" /);
  // a logfmt reader sees exactly the keys we wrote, in order
  const keys = [...line.matchAll(/(\w+)=(?:"(?:[^"\\]|\\.)*"|\S*)(?: |$)/gy)].map((m) => m[1]);
  assert.deepEqual(keys, ['at', 'method', 'path', 'host', 'request_id', 'fwd', 'dyno', 'connect', 'service', 'status', 'bytes', 'protocol']);
});
