import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import net from 'node:net';
import test from 'node:test';
import { waitFor } from '../lib/index.js';
import { get, startBackend, startRouter } from '../testkit/index.js';

/** Writes raw bytes to the router and returns what comes back until it closes (or `until` matches). */
function raw(port: number, data: string | Buffer, until?: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let out = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      out += d;
      if (until?.test(out)) s.destroy();
    });
    s.on('close', () => resolve(out));
    s.on('error', reject);
    s.write(data);
  });
}

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const wsAccept = (key: string): string => createHash('sha1').update(key + WS_GUID).digest('base64');

test('HTTP behaviour through HAProxy', async (t) => {
  const { router, port, logs } = await startRouter(t);
  const a = await startBackend(t);
  await router.setApp('web', { hosts: [], targets: [a.target('web.1')], state: 'running' });
  const headersSeen = async (headers: Record<string, string>) => {
    const r = await get(port, 'web.localhost', { headers });
    return (JSON.parse(r.body) as { headers: Record<string, string> }).headers;
  };

  await t.test('X-Forwarded-* reach the app; X-Request-Id is generated, kept, or replaced when not sane', async () => {
    const h = await headersSeen({});
    assert.equal(h['x-forwarded-for'], '127.0.0.1');
    assert.equal(h['x-forwarded-proto'], 'http');
    assert.equal(h['x-forwarded-port'], String(port));
    assert.match(h['x-request-id'] ?? '', /^[0-9a-f-]{36}$/);
    assert.notEqual((await headersSeen({}))['x-request-id'], h['x-request-id']);
    assert.equal((await headersSeen({ 'x-request-id': 'client-id-123' }))['x-request-id'], 'client-id-123');
    assert.match((await headersSeen({ 'x-request-id': 'has spaces in it' }))['x-request-id'] ?? '', /^[0-9a-f-]{36}$/);
    assert.equal((await headersSeen({ 'x-forwarded-proto': 'https' }))['x-forwarded-proto'], 'http', 'a client cannot claim https');
  });

  await t.test('WebSocket upgrade: handshake and bytes both ways through the tunnel', async () => {
    const ws = await startBackend(t);
    ws.server.on('upgrade', (req, socket) => {
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${wsAccept(String(req.headers['sec-websocket-key']))}\r\n\r\n`);
      socket.on('data', (d: Buffer) => socket.write(Buffer.concat([Buffer.from('echo:'), d])));
      socket.on('end', () => socket.end());
    });
    await router.setApp('ws', { hosts: [], targets: [ws.target('web.1')], state: 'running' });
    const key = Buffer.from('0123456789abcdef').toString('base64');
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      got += d;
      if (got.includes('\r\n\r\n') && !got.includes('echo:')) s.write('hello over ws');
    });
    s.write(`GET /chat HTTP/1.1\r\nHost: ws.localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    await waitFor(() => got.includes('echo:hello over ws'), { timeoutMs: 3000, what: 'the echo' });
    s.destroy();
    assert.match(got, /^HTTP\/1\.1 101 /);
    assert.match(got, new RegExp(`sec-websocket-accept: ${wsAccept(key).replace(/[+/]/g, '\\$&')}`, 'i'));
  });

  await t.test('one Heroku-style router line per request; H14 for an app without targets', async () => {
    for (const id of ['req-1', 'req-2', 'req-3']) await get(port, 'web.localhost', { path: '/logged?q=1', headers: { 'x-request-id': id } });
    await router.setApp('nil', { hosts: [], targets: [], state: 'idle' });
    await get(port, 'nil.localhost', { headers: { 'x-request-id': 'req-h14' } });
    await raw(port, 'GET /a"b HTTP/1.1\r\nHost: web.localhost\r\nX-Request-Id: req-quote\r\nConnection: close\r\n\r\n');
    await waitFor(() => ['req-3', 'req-h14', 'req-quote'].every((id) => logs.some((l) => l.line.includes(`request_id=${id} `))), { timeoutMs: 3000 });
    for (const id of ['req-1', 'req-2', 'req-3']) {
      const lines = logs.filter((l) => l.line.includes(`request_id=${id} `));
      assert.equal(lines.length, 1, `exactly one line for ${id}`);
      assert.equal(lines[0]?.app, 'web');
      assert.match(
        lines[0]?.line ?? '',
        new RegExp(`^at=info method=GET path="/logged\\?q=1" host=web\\.localhost request_id=${id} fwd="127\\.0\\.0\\.1" dyno=web\\.1 connect=\\d+ms service=\\d+ms status=200 bytes=\\d+ protocol=http$`),
      );
    }
    const h14 = logs.find((l) => l.line.includes('request_id=req-h14 '));
    assert.equal(h14?.app, 'nil');
    assert.match(h14?.line ?? '', /^at=error code=H14 desc="No web processes running" method=GET path="\/" host=nil\.localhost request_id=req-h14 fwd="127\.0\.0\.1" dyno= connect= service= status=503 bytes=\d+ protocol=http$/);
    // HAProxy escapes the quote (#22): the line stays one line of key=value pairs.
    assert.match(logs.find((l) => l.line.includes('request_id=req-quote '))?.line ?? '', / path="\/a#22b" /);
  });

  await t.test('a malformed request and a 20 KiB header get 4xx; the router keeps serving', async () => {
    assert.match(await raw(port, 'GARBAGE\r\n\r\n'), /^HTTP\/1\.[01] 400 /);
    assert.match(await raw(port, `GET / HTTP/1.1\r\nHost: web.localhost\r\nX-Big: ${'x'.repeat(20 * 1024)}\r\n\r\n`), /^HTTP\/1\.[01] 4\d\d /);
    assert.match(await raw(port, Buffer.from('GET /\x01 HTTP/1.1\r\nHost: web.localhost\r\n\r\n', 'latin1')), /^HTTP\/1\.[01] 400 /);
    assert.equal((await get(port, 'web.localhost')).status, 200);
  });
});
