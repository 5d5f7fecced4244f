import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { buildCapProbe, freePort, probeReports, run, waitFor } from '../lib/index.js';
import type { Driver, ProcessSpec } from './driver.js';

/**
 * One suite for every runtime driver (process now, docker later): each gets
 * the same specs and must behave the same way.
 */
export function runDriverContract(name: string, newDriver: (t: { after(fn: () => unknown): void }) => Driver): void {
  const root = (t: { after(fn: () => unknown): void }, files: Record<string, string>): string => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'driver-root-'));
    chmodSync(dir, 0o755); // as a built release is: readable by the app user
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    for (const [f, body] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      writeFileSync(path.join(dir, f), body);
    }
    return dir;
  };
  const spec = (dir: string, command: string, extra: Partial<ProcessSpec> = {}): ProcessSpec => ({
    id: `contract-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
    command,
    env: { PATH: '/usr/bin:/bin', GREETING: 'hi there' },
    cwd: '/app',
    root: dir,
    user: { uid: 70999, gid: 70999, name: 'app-contract' },
    hostname: 'contract',
    limits: {},
    ...extra,
  });
  const collect = (): { lines: string[]; io: { onLine(s: 'stdout' | 'stderr', l: string): void } } => {
    const lines: string[] = [];
    return { lines, io: { onLine: (s, l) => lines.push(`${s}: ${l}`) } };
  };

  test(`${name}: runs the command by shell with env, .profile.d, as the app user, and reports the exit code`, async (t) => {
    const dir = root(t, { '.profile.d/x.sh': 'export FROM_PROFILE=sourced\n' });
    const { lines, io } = collect();
    const inst = await newDriver(t).start(spec(dir, 'echo "$GREETING $FROM_PROFILE $(id -u) $HOME $PWD"; echo oops >&2; exit 3'), io);
    assert.deepEqual(await inst.exited, { code: 3, signal: null });
    assert.ok(lines.includes('stdout: hi there sourced 70999 /home/app /app'), lines.join('\n'));
    assert.ok(lines.includes('stderr: oops'));
  });

  test(`${name}: a gated instance runs nothing (not even .profile.d) until open(); stopped while gated, its command never runs`, async (t) => {
    const dir = root(t, { '.profile.d/x.sh': 'echo profile-ran\n' });
    const driver = newDriver(t);
    const a = collect();
    const gated = await driver.start(spec(dir, 'echo "command ran as $(id -u) on port $PORT"', { gated: true }), a.io);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(a.lines, [], 'nothing ran while gated');
    gated.open(5123);
    assert.deepEqual(await gated.exited, { code: 0, signal: null });
    assert.deepEqual(a.lines, ['stdout: profile-ran', 'stdout: command ran as 70999 on port 5123'], 'PORT is the one given when it opens');

    const b = collect();
    const never = await driver.start(spec(dir, 'echo should-not-run', { gated: true }), b.io);
    await new Promise((r) => setTimeout(r, 100));
    const exit = await never.stop(2000);
    assert.equal(exit.signal, null, 'it ended by itself on SIGTERM, no SIGKILL needed');
    assert.deepEqual(b.lines, []);
  });

  test(`${name}: the release is read-only, /tmp and $HOME are private and writable, other files unseen`, async (t) => {
    const dir = root(t, { 'app.txt': 'x' });
    const secret = mkdtempSync(path.join(os.tmpdir(), 'host-secret-'));
    t.after(() => rmSync(secret, { recursive: true, force: true }));
    const { lines, io } = collect();
    const cmd = `touch /app/new 2>/dev/null && echo app-writable || echo app-readonly; touch /tmp/t && touch $HOME/h && echo scratch-ok; ls ${secret} >/dev/null 2>&1 && echo host-visible || echo host-hidden; ls /root >/dev/null 2>&1 && echo root-visible || echo root-hidden; cat /proc/1/cmdline | tr '\\0' ' '`;
    const inst = await newDriver(t).start(spec(dir, cmd), io);
    await inst.exited;
    for (const want of ['stdout: app-readonly', 'stdout: scratch-ok', 'stdout: host-hidden', 'stdout: root-hidden']) assert.ok(lines.includes(want), `${want} in ${lines.join(' | ')}`);
    assert.ok(!lines.some((l) => l.includes('slipway server')), 'the daemon is not in the instance\'s process list');
  });

  test(`${name}: signal() reaches the command`, async (t) => {
    const dir = root(t, {});
    const { lines, io } = collect();
    const inst = await newDriver(t).start(spec(dir, `trap 'echo got-int; exit 0' INT; echo ready; while :; do sleep 0.1; done`), io);
    t.after(() => inst.stop(1000));
    await waitFor(() => lines.includes('stdout: ready'), { timeoutMs: 10_000, what: 'the command to start' });
    inst.signal('SIGINT');
    assert.deepEqual(await inst.exited, { code: 0, signal: null });
    assert.ok(lines.includes('stdout: got-int'), lines.join('\n'));
  });

  test(`${name}: stdin reaches the command; its output comes back as lines`, async (t) => {
    const dir = root(t, {});
    const { lines, io } = collect();
    const inst = await newDriver(t).start(spec(dir, 'read a; read b; echo "got $a and $b"', { stdin: true }), io);
    t.after(() => inst.stop(1000));
    assert.ok(inst.stdin, 'stdin is open when asked for');
    inst.stdin.write('one\ntwo\n');
    assert.deepEqual(await inst.exited, { code: 0, signal: null });
    assert.ok(lines.includes('stdout: got one and two'), lines.join('\n'));
  });

  test(`${name}: serves on PORT; stop sends SIGTERM, then SIGKILL after the grace period`, async (t) => {
    const port = await freePort();
    const dir = root(t, {
      'graceful.js': `require('http').createServer((q,s)=>s.end('ok')).listen(process.env.PORT); process.on('SIGTERM',()=>{console.log('bye');process.exit(0)});`,
      'stubborn.js': `require('http').createServer((q,s)=>s.end('ok')).listen(process.env.PORT); process.on('SIGTERM',()=>console.log('ignoring'));`,
    });
    const driver = newDriver(t);
    const { lines, io } = collect();
    const a = await driver.start(spec(dir, 'node graceful.js', { env: { PATH: '/usr/bin:/bin', PORT: String(port) }, port }), io);
    const body = await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/`)).text(), { timeoutMs: 10_000, what: 'the instance to serve' });
    assert.equal(body, 'ok');
    assert.deepEqual(await a.stop(5000), { code: 0, signal: null });
    assert.ok(lines.includes('stdout: bye'));

    const b = await driver.start(spec(dir, 'node stubborn.js', { env: { PATH: '/usr/bin:/bin', PORT: String(port) }, port }), io);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/`)).ok, { timeoutMs: 10_000, what: 'the stubborn instance' });
    const t0 = Date.now();
    const exit = await b.stop(800);
    assert.ok(exit.signal === 'SIGKILL' || exit.code === 137, JSON.stringify(exit));
    assert.ok(Date.now() - t0 >= 700, 'waited for the grace period');
    assert.ok(lines.includes('stdout: ignoring'));
  });

  test(`${name}: LD_PRELOAD from the env loads only into unprivileged processes (no uid 0, no capability, no_new_privs)`, async (t) => {
    const dir = root(t, {});
    await buildCapProbe(path.join(dir, 'lib'));
    for (const extra of [{}, { argv: ['/bin/true'] }, { gated: true }] as Partial<ProcessSpec>[]) {
      const { lines, io } = collect();
      const inst = await newDriver(t).start(spec(dir, '/bin/true', { ...extra, env: { PATH: '/usr/bin:/bin', LD_PRELOAD: '/app/lib/probe.so' } }), io);
      inst.open();
      assert.deepEqual(await inst.exited, { code: 0, signal: null }, lines.join('\n'));
      const reports = probeReports(lines.join('\n'));
      assert.ok(reports.some((r) => r.comm === 'true'), `the probe ran in the command (${JSON.stringify(extra)}): ${lines.join('\n')}`);
      assert.deepEqual(reports.filter((r) => r.privileged).map((r) => r.line), [], JSON.stringify(extra));
    }
  });

  test(`${name}: env values are on no process's argv: \`ps -eo args\` as another user shows none`, async (t) => {
    const dir = root(t, {});
    const secret = `hunter2-${Math.random().toString(36).slice(2)}`;
    const { lines, io } = collect();
    const inst = await newDriver(t).start(spec(dir, 'echo "up ${#DB_PASSWORD}"; exec sleep 60', { env: { PATH: '/usr/bin:/bin', DB_PASSWORD: secret } }), io);
    t.after(() => inst.stop(100));
    await waitFor(() => lines.includes(`stdout: up ${secret.length}`) || undefined, { timeoutMs: 10_000, what: 'the instance to see its env' });
    const ps = await run(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'ps', '-eo', 'args'], { env: { PATH: '/usr/bin:/bin' } });
    assert.ok(ps.stdout.includes('sleep 60'), 'ps sees the instance');
    assert.ok(!ps.stdout.includes(secret), 'the value is on no argv');
  });

  test(`${name}: a memory limit stops an instance (a one-off too) that goes past it, and says so`, async (t) => {
    const dir = root(t, { 'hog.js': 'const a=[]; for(;;){ a.push(Buffer.alloc(8<<20, 1)); }' });
    for (const extra of [{ command: 'exec node hog.js' }, { argv: ['node', 'hog.js'] }] as Partial<ProcessSpec>[]) {
      const { lines, io } = collect();
      const inst = await newDriver(t).start(spec(dir, 'unused', { ...extra, limits: { memoryMb: 64 } }), io);
      const exit = await inst.exited;
      assert.notEqual(exit.code, 0, JSON.stringify(exit));
      assert.ok(lines.includes('stderr: slipway: the instance reached its memory limit (64 MB) and was killed'), lines.join('\n'));
    }
  });

  test(`${name}: a fork bomb stops at the process limit, and says so`, async (t) => {
    const dir = root(t, {});
    const { lines, io } = collect();
    // perl's fork fails at once when refused (bash would retry for minutes); the children wait to be counted
    const bomb = '$| = 1; my ($ok, $no) = (0, 0); for (1..300) { my $p = fork(); if (!defined $p) { $no++; next } if (!$p) { sleep 30; exit 0 } $ok++ } print "started=$ok refused=$no\n"; kill "KILL", -$$; ';
    const inst = await newDriver(t).start(spec(dir, 'unused', { argv: ['perl', '-e', bomb], limits: { pids: 40 } }), io);
    await inst.exited;
    const m = lines.map((l) => /started=(\d+) refused=(\d+)/.exec(l)).find(Boolean);
    assert.ok(m, lines.join('\n'));
    assert.ok(Number(m[1]) < 40 && Number(m[2]) > 0, m[0]);
    assert.ok(lines.includes('stderr: slipway: the instance reached its process limit (40); new processes were refused'), lines.join('\n'));
  });

  test(`${name}: /tmp and $HOME fill to their cap and no further`, async (t) => {
    const dir = root(t, {});
    const { lines, io } = collect();
    const fill = 'for d in /tmp $HOME; do dd if=/dev/zero of=$d/fill bs=1M count=64 2>/dev/null; echo "$d $(( $(stat -c %s $d/fill) / 1048576 ))"; done';
    const inst = await newDriver(t).start(spec(dir, fill, { limits: { tmpMb: 16 } }), io);
    await inst.exited;
    assert.deepEqual(lines.filter((l) => l.startsWith('stdout:')), ['stdout: /tmp 16', 'stdout: /home/app 16']);
  });
}

