import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { waitFor } from '../lib/index.js';
import { answeredBy, get, startBackend, startRouter } from '../testkit/index.js';
import { showProc } from './runtime-api.js';

/** Alive and not a zombie (a killed child of a reparented process can stay <defunct> here). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

const refused = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', () => resolve(true));
  });

test('HAProxy killed with SIGKILL: the router restarts it with the latest state', async (t) => {
  const { router, port } = await startRouter(t);
  const [a, b] = [await startBackend(t), await startBackend(t)];
  await router.setApp('phoenix', { hosts: [], targets: [a.target('web.1')], state: 'running' });
  // changes made through the runtime API only must survive the restart too
  await router.setApp('phoenix', { hosts: ['phoenix.example.com'], targets: [b.target('web.2')], state: 'running' });
  const pid = router.haproxyPid as number;
  process.kill(pid, 'SIGKILL');
  await waitFor(async () => router.haproxyPid !== pid && (await get(port, 'phoenix.example.com')).status === 200, { timeoutMs: 10_000, what: 'routing after the restart' });
  assert.equal(answeredBy(await get(port, 'phoenix.localhost')), b.port);
  assert.equal(answeredBy(await get(port, 'phoenix.example.com')), b.port);
  assert.ok(!alive(pid));
});

test('a SIGKILLed daemon leaves no HAProxy behind', async (t) => {
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'slw-router-orphan-'));
  t.after(() => rmSync(runDir, { recursive: true, force: true }));
  const routerUrl = new URL('./router.js', import.meta.url).href;
  const script = `
    const { Router } = await import(${JSON.stringify(routerUrl)});
    const r = new Router({ runDir: ${JSON.stringify(runDir)}, domain: 'localhost', listen: { host: '127.0.0.1', port: 0 }, onRouterLog() {} });
    const { port } = await r.start();
    console.log(JSON.stringify({ port, pid: r.haproxyPid }));
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => child.kill('SIGKILL'));
  const first = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(d.toString()));
    child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
  });
  const { port, pid } = JSON.parse(first) as { port: number; pid: number };
  const workers = (await showProc(path.join(runDir, 'master.sock'))).current;
  assert.ok(workers.length > 0 && alive(pid));
  child.kill('SIGKILL');
  await waitFor(() => ![pid, ...workers].some(alive), { timeoutMs: 5000, what: 'haproxy master and workers to exit' });
  assert.ok(await refused(port));
});
