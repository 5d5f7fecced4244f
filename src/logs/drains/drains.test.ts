import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '../../lib/index.js';
import { httpsReceiver, selfSignedCert, syslogTlsReceiver, tempDir } from '../../testkit/index.js';
import { LogStore } from '../store.js';
import { syslogMessage } from './format.js';
import { Ring } from './ring.js';
import { DrainService, type DrainRecord, type DrainRecords } from './service.js';
import { parseDrainUrl, redactUrl } from './transport.js';

function memoryRecords(): DrainRecords {
  const rows: DrainRecord[] = [];
  return {
    all: () => [...rows],
    insert: (app, d) => {
      const r = { id: rows.length + 1, app, ...d, created_at: new Date().toISOString() };
      rows.push(r);
      return r;
    },
    delete: (_app, id) => void rows.splice(rows.findIndex((r) => r.id === id), 1),
  };
}

test('the ring drops the oldest past its bound and counts them', () => {
  const r = new Ring<number>(3);
  for (let i = 1; i <= 5; i++) r.push(i);
  assert.deepEqual(r.peek(10), [3, 4, 5]);
  assert.equal(r.dropped, 2);
  assert.equal(r.takeDropped(), 2);
  assert.equal(r.takeDropped(), 0);
  const before = r.dropped;
  const batch = r.peek(2); // [3, 4] go out; meanwhile 6 pushes out 3
  r.push(6);
  r.remove(batch.length, before);
  assert.deepEqual(r.peek(10), [5, 6], 'only what is left of the sent batch is removed');
  const big = new Ring<number>(4);
  for (let i = 1; i <= 4; i++) big.push(i);
  big.remove(3, big.dropped);
  assert.deepEqual(big.peek(10), [4], 'a batch of most of the ring is removed whole');
});

test('syslog lines are RFC 5424 with the drain token as hostname; URLs are checked and listed without passwords', () => {
  assert.equal(syslogMessage({ time: '2026-01-01T00:00:00.000Z', source: 'app', ps: 'web.1', line: 'hi there' }, 'd.abc'), '<14>1 2026-01-01T00:00:00.000Z d.abc app web.1 - - hi there');
  assert.equal(syslogMessage({ time: '2026-01-01T00:00:00.000Z', source: 'router', line: 'at=error code=H12' }, 'd.abc'), '<11>1 2026-01-01T00:00:00.000Z d.abc router router - - at=error code=H12');
  assert.equal(syslogMessage({ time: '2026-01-01T00:00:00.000Z', source: 'build', line: 'x' }, 't'), '<14>1 2026-01-01T00:00:00.000Z t slipway build - - x');
  assert.throws(() => parseDrainUrl('ftp://x'), /must be syslog\+tls:\/\/, syslog:\/\/ or https:\/\//);
  assert.throws(() => parseDrainUrl('syslog+tls://logs.example.com'), /needs a port/);
  assert.throws(() => parseDrainUrl('not a url'), /not a URL/);
  assert.equal(redactUrl(parseDrainUrl('https://user:s3cret@logs.example.com/in').url), 'https://user:***@logs.example.com/in');
});

test('drains: a TLS syslog receiver and an HTTPS receiver get every line in order', async (t) => {
  const cert = await selfSignedCert(t);
  const syslog = await syslogTlsReceiver(t, cert);
  const web = await httpsReceiver(t, cert);
  const logs = new LogStore(tempDir(t));
  t.after(() => logs.close());
  const svc = new DrainService({ records: memoryRecords(), logs, batch: 50 });
  t.after(() => svc.stop());
  const a = svc.add('shop', `syslog+tls://127.0.0.1:${syslog.port}`, cert.cert);
  const b = svc.add('shop', `https://user:pw@127.0.0.1:${web.port}/logs`, cert.cert);
  assert.throws(() => svc.add('shop', `syslog+tls://127.0.0.1:${syslog.port}`), /already drains/);
  assert.match(b.url, /user:\*\*\*@/);
  for (let i = 1; i <= 300; i++) logs.append('shop', { source: 'app', ps: 'web.1', line: `line ${i} ünïcode` });
  logs.append('other', { source: 'app', line: 'not drained' });
  const want = Array.from({ length: 300 }, (_, i) => `line ${i + 1} ünïcode`);
  const lines = (msgs: string[]): string[] => msgs.map((m) => m.replace(/^<14>1 \S+ d\.[0-9a-f-]+ app web\.1 - - /, ''));
  await waitFor(() => syslog.messages.length >= 300 && web.messages.length >= 300, { timeoutMs: 30_000, what: '300 lines at both receivers' });
  assert.deepEqual(lines(syslog.messages), want);
  assert.deepEqual(lines(web.messages), want);
  assert.ok(syslog.messages[0]?.includes(` ${a.token} `), 'the token names the drain');
  const h = web.requests[0] ?? {};
  assert.equal(h['content-type'], 'application/logplex-1');
  assert.equal(h['logplex-drain-token'], b.token);
  assert.equal(h.authorization, `Basic ${Buffer.from('user:pw').toString('base64')}`);
  assert.equal(web.requests.reduce((n, r) => n + Number(r['logplex-msg-count']), 0), 300);
  // the receiver has a batch before the drain hears back (the answer is still on its way)
  const stats = await waitFor(() => {
    const l = svc.list('shop');
    return l.every((s) => s.sent === 300) ? l : undefined;
  }, { timeoutMs: 20_000, what: 'both drains to count 300 sent' });
  assert.deepEqual(stats.map((s) => [s.sent, s.dropped, s.queued]), [[300, 0, 0], [300, 0, 0]]);
  await svc.remove('shop', String(a.id));
  assert.equal(svc.list('shop').length, 1);
});

test('a receiver that is down loses at most the buffer bound; the drop is counted and reported to it (L10) when it is back', async (t) => {
  const cert = await selfSignedCert(t);
  const web = await httpsReceiver(t, cert);
  const logs = new LogStore(tempDir(t));
  t.after(() => logs.close());
  const svc = new DrainService({ records: memoryRecords(), logs, bufferLines: 50, batch: 20, maxBackoffMs: 200 });
  t.after(() => svc.stop());
  svc.add('shop', `https://127.0.0.1:${web.port}/logs`, cert.cert);
  logs.append('shop', { source: 'app', line: 'before 1' });
  await waitFor(() => web.messages.length === 1 && svc.list('shop')[0]?.sent === 1, { timeoutMs: 20_000, what: 'the first line delivered and acknowledged' });

  await web.stop();
  for (let i = 1; i <= 120; i++) logs.append('shop', { source: 'app', line: `during ${i}` });
  const down = await waitFor(() => svc.list('shop').find((d) => d.lastError !== undefined), { timeoutMs: 20_000, what: 'the drain to notice' });
  assert.equal(down.dropped, 70);
  assert.equal(down.queued, 50);
  await web.start();
  await waitFor(() => web.messages.length >= 52, { timeoutMs: 30_000, what: 'the notice and the kept lines' });
  const body = web.messages.map((m) => m.replace(/^<\d+>1 \S+ \S+ \S+ \S+ - - /, ''));
  assert.equal(body[0], 'before 1');
  assert.match(body[1] ?? '', /^Error L10 \(output buffer overflow\): 70 messages dropped since /);
  assert.deepEqual(body.slice(2), Array.from({ length: 50 }, (_, i) => `during ${i + 71}`));
  const after = svc.list('shop')[0];
  assert.equal(after?.dropped, 70);
  assert.equal(after?.lastError, undefined);
});
