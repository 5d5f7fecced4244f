// Log drains end to end: the CLI adds a TLS syslog drain; platform lines reach it, also after a server restart.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '../lib/index.js';
import { Daemon, selfSignedCert, syslogTlsReceiver } from '../testkit/index.js';

test('drains:add / drains / drains:remove with a TLS syslog receiver; drains survive a restart; passwords are not listed', async (t) => {
  const d = await Daemon.start(t);
  const cert = await selfSignedCert(t);
  const rx = await syslogTlsReceiver(t, cert);
  assert.equal((await d.cli(['apps:create', 'logged'])).exitCode, 0);

  const bad = await d.cli(['drains:add', '-a', 'logged', 'ftp://example.com']);
  assert.equal(bad.exitCode, 1);
  assert.match(bad.stderr, /drain URLs must be syslog\+tls:\/\/, syslog:\/\/ or https:\/\//);
  const url = `syslog+tls://127.0.0.1:${rx.port}`;
  const add = await d.cli(['drains:add', '-a', 'logged', url, '--ca', cert.certFile]);
  assert.equal(add.exitCode, 0, add.stderr);
  assert.match(add.stdout, /\(token d\.[0-9a-f-]{36}\)/);
  const secret = await d.cli(['drains:add', '-a', 'logged', 'https://user:hunter2@127.0.0.1:1/in']);
  assert.equal(secret.exitCode, 0, secret.stderr);
  assert.ok(!(await d.api('GET', '/v1/apps/logged/drains')).text.includes('hunter2'), 'the password is not listed');

  assert.equal((await d.cli(['config:set', '-a', 'logged', 'FIRST=1'])).exitCode, 0);
  await waitFor(() => rx.messages.some((m) => m.includes('Set FIRST config vars')), { timeoutMs: 30_000, what: 'the config line at the receiver' });
  assert.match(rx.messages.find((m) => m.includes('Set FIRST')) ?? '', /^<14>1 \S+ d\.[0-9a-f-]+ slipway platform - - /);
  const list = JSON.parse((await d.cli(['drains', '-a', 'logged', '--json'])).stdout) as { url: string; sent: number; dropped: number }[];
  assert.equal(list.length, 2);
  assert.ok((list.find((x) => x.url.startsWith('syslog+tls'))?.sent ?? 0) >= 1);

  await d.stop();
  await d.boot();
  assert.equal((await d.cli(['config:set', '-a', 'logged', 'SECOND=2'])).exitCode, 0);
  await waitFor(() => rx.messages.some((m) => m.includes('Set SECOND config vars')), { timeoutMs: 30_000, what: 'a line after the restart' });

  assert.equal((await d.cli(['drains:remove', '-a', 'logged', url])).exitCode, 0);
  const gone = await d.cli(['drains:remove', '-a', 'logged', url]);
  assert.equal(gone.exitCode, 1);
  assert.match(gone.stderr, /has no drain/);
  const count = rx.messages.length;
  assert.equal((await d.cli(['config:set', '-a', 'logged', 'THIRD=3'])).exitCode, 0);
  assert.equal(JSON.parse((await d.cli(['drains', '-a', 'logged', '--json'])).stdout).length, 1);
  assert.equal(rx.messages.length, count, 'a removed drain gets nothing more');
});
