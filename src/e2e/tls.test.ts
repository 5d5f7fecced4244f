import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import tls from 'node:tls';
import { run } from '../lib/index.js';
import { Daemon, issueCert, makeCa, tempDir } from '../testkit/index.js';

/** One TLS connection with SNI: the certificate served, whether it verified against `ca`, and an HTTP answer on it. */
function handshake(url: string, servername: string, ca: string, keep = false): Promise<{ subject: string; serial: string; authorized: boolean; status: number; socket?: tls.TLSSocket }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: u.hostname, port: Number(u.port), servername, ca, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }, () => {
      const peer = s.getPeerCertificate();
      s.write(`GET / HTTP/1.1\r\nHost: ${servername}\r\n${keep ? '' : 'Connection: close\r\n'}\r\n`);
      let data = '';
      const onData = (b: Buffer): void => {
        data += b.toString();
        const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
        if (m && data.includes('\r\n\r\n')) {
          s.off('data', onData);
          if (!keep) s.destroy();
          resolve({ subject: String(peer.subject?.CN), serial: peer.serialNumber, authorized: s.authorized, status: Number(m[1]), socket: keep ? s : undefined });
        }
      };
      s.on('data', onData);
    });
    s.on('error', reject);
  });
}

/** One more request on a kept TLS connection. */
function again(s: tls.TLSSocket, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let data = '';
    const onData = (b: Buffer): void => {
      data += b.toString();
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (m) {
        s.off('data', onData);
        resolve(Number(m[1]));
      }
    };
    s.on('data', onData);
    s.once('error', reject);
    s.write(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
  });
}

test('HTTPS: a certificate you bring is served by SNI, renewed and removed without dropping a connection, and kept across a restart', async (t) => {
  const dir = tempDir(t, 'slipway-certs-');
  const ca = await makeCa(dir);
  const d = await Daemon.start(t, { args: ['--router-tls-listen', '127.0.0.1:0'] });
  const tlsUrl = (): string => (d.info as unknown as { router_tls: string }).router_tls;
  assert.match(tlsUrl(), /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.equal((await d.cli(['apps:create', 'hello'])).exitCode, 0);
  assert.equal((await d.cli(['domains:add', '-a', 'hello', 'www.hello.test'])).exitCode, 0);

  const before = await handshake(tlsUrl(), 'www.hello.test', ca.cert);
  assert.equal(before.subject, 'slipway-default.invalid', 'no certificate yet: the default one');
  assert.equal(before.authorized, false);

  const leaf = await issueCert(ca, ['www.hello.test']);
  const added = await d.cli(['certs:add', '-a', 'hello', leaf.certFile, leaf.keyFile]);
  assert.equal(added.exitCode, 0, added.stderr);
  const served = await handshake(tlsUrl(), 'www.hello.test', ca.cert, true);
  assert.deepEqual([served.subject, served.authorized, served.status], ['www.hello.test', true, 503], 'TLS terminated with our certificate; the app has no release yet (H14)');
  const other = await handshake(tlsUrl(), 'hello.localhost', ca.cert);
  assert.equal(other.subject, 'slipway-default.invalid', 'a name the certificate does not cover gets the default');

  const listed = JSON.parse((await d.cli(['certs', '-a', 'hello', '--json'])).stdout) as { id: string; hosts: string[]; issuer: string; status: string }[];
  assert.deepEqual(listed.map((c) => [c.hosts, c.issuer, c.status]), [[['www.hello.test'], 'Slipway Test CA', 'issued']]);
  const keyFile = path.join(d.home, 'certs', `${listed[0]!.id}.pem`);
  assert.equal((await import('node:fs')).statSync(keyFile).mode & 0o777, 0o600, 'the key is stored 0600');
  const shown = await d.api('GET', '/v1/apps/hello/certs');
  assert.ok(!shown.text.includes('PRIVATE KEY'), 'the API never returns the key');

  // renewal: a new certificate for the same name replaces it; the open connection carries on
  const renewed = await issueCert(ca, ['www.hello.test']);
  assert.equal((await d.cli(['certs:add', '-a', 'hello', renewed.certFile, renewed.keyFile])).exitCode, 0);
  const now = await handshake(tlsUrl(), 'www.hello.test', ca.cert);
  assert.notEqual(now.serial, served.serial, 'new handshakes get the renewed certificate');
  assert.equal(JSON.parse((await d.cli(['certs', '-a', 'hello', '--json'])).stdout).length, 1, 'replaced, not added');
  assert.equal(await again(served.socket!, 'www.hello.test'), 503, 'the connection opened before the renewal still answers');
  served.socket!.destroy();

  // kept across a restart
  await d.stop('SIGTERM');
  await d.boot();
  assert.equal((await handshake(tlsUrl(), 'www.hello.test', ca.cert)).serial, now.serial);

  const id = listed[0]!.id;
  assert.equal((await d.cli(['certs:remove', '-a', 'hello', id])).exitCode, 0);
  assert.equal((await handshake(tlsUrl(), 'www.hello.test', ca.cert)).subject, 'slipway-default.invalid');
});

test('certs:add refuses bad certificates with a clear error and stores nothing', async (t) => {
  const dir = tempDir(t, 'slipway-certs-');
  const ca = await makeCa(dir);
  const d = await Daemon.start(t, { args: ['--router-tls-listen', '127.0.0.1:0'] });
  assert.equal((await d.cli(['apps:create', 'hello'])).exitCode, 0);
  const good = await issueCert(ca, ['hello.localhost']);
  const other = await issueCert(ca, ['hello.localhost']);
  const foreign = await issueCert(ca, ['shop.example.com']);
  const expired = await issueCert(ca, ['hello.localhost'], { start: '20200101000000Z', end: '20200201000000Z' });
  const weak = await issueCert(ca, ['hello.localhost'], { rsaBits: 1024 }).catch(() => undefined);
  const file = (name: string, text: string): string => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const dsaKey = file('dsa.key', (await run(['openssl', 'dsaparam', '-genkey', '-noout', '1024'])).stdout);
  const cases: [string, string, string, RegExp][] = [
    ['key of another certificate', good.certFile, other.keyFile, /key: does not match the certificate/],
    ['expired', expired.certFile, expired.keyFile, /certificate: expired on 2020-02-01/],
    ['another domain', foreign.certFile, foreign.keyFile, /covers none of the app's domains \(hello\.localhost\)/],
    ['junk around the PEM', file('junk.crt', `hello\n${good.cert}`), good.keyFile, /has text outside PEM blocks/],
    ['3 MB of junk', file('big.crt', `${good.cert}${'A'.repeat(3 * 1024 * 1024)}`), good.keyFile, /larger than the limit|larger than 64 KiB/],
    ['a DSA key', good.certFile, dsaKey, /key: (does not match|dsa keys are not supported)/],
    ['the key where the certificate goes', good.keyFile, good.keyFile, /unexpected PRIVATE KEY block/],
    ['a chain out of order', file('chain.crt', ca.cert + good.cert), good.keyFile, /chain is broken|does not match/],
  ];
  if (weak) cases.push(['a 1024-bit RSA key', weak.certFile, weak.keyFile, /at least 2048 bits/]);
  for (const [what, cert, key, message] of cases) {
    const r = await d.cli(['certs:add', '-a', 'hello', cert, key]);
    assert.equal(r.exitCode, 1, what);
    assert.match(r.stderr, message, what);
  }
  assert.deepEqual(JSON.parse((await d.cli(['certs', '-a', 'hello', '--json'])).stdout), [], 'nothing stored');
  const chained = await d.cli(['certs:add', '-a', 'hello', file('full.crt', good.cert + ca.cert), good.keyFile]);
  assert.equal(chained.exitCode, 0, `leaf then issuer is a good chain: ${chained.stderr}`);
  assert.ok(readFileSync(path.join(d.home, 'router', 'certs.list'), 'utf8').includes('hello-'));
});
