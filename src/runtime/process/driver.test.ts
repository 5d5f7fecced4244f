import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { run, waitFor } from '../../lib/index.js';
import { runDriverContract } from '../driver.contract.js';
import { detectCgroup } from './cgroup.js';
import { ProcessDriver } from './driver.js';

runDriverContract('process driver', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'driver-run-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return new ProcessDriver(dir);
});

test('groups left by a daemon killed with -9 are removed by the next driver on the same home, not those of other homes', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'driver-cg-'));
  const other = mkdtempSync(path.join(os.tmpdir(), 'driver-cg-other-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  });
  const host = detectCgroup(dir);
  if (!host) return t.skip('cgroups are not writable here');
  const left = host.create('web-1-killed', { memoryMb: 64, pids: 10, cpuShares: 1024 });
  const foreign = detectCgroup(other)?.create('web-1-other', { memoryMb: 64, pids: 10, cpuShares: 1024 }) ?? [];
  t.after(() => detectCgroup(other)?.sweep());
  assert.ok(left.every((f) => existsSync(path.dirname(f))));
  new ProcessDriver(dir);
  assert.deepEqual(left.filter((f) => existsSync(path.dirname(f))), [], 'the empty groups are gone');
  assert.ok(foreign.every((f) => existsSync(path.dirname(f))), "another home's groups stay");
});

test('after an instance exits, its groups are removed', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'driver-cg2-'));
  const rel = mkdtempSync(path.join(os.tmpdir(), 'driver-cg2-rel-'));
  chmodSync(rel, 0o755);
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(rel, { recursive: true, force: true });
  });
  const driver = new ProcessDriver(dir);
  const host = detectCgroup(dir);
  if (!host) return t.skip('cgroups are not writable here');
  const lines: string[] = [];
  const uid = 70900 + Math.floor(Math.random() * 90);
  const inst = await driver.start({ id: 'cg-exit', command: 'echo up; exec sleep 30', env: { PATH: '/usr/bin:/bin' }, cwd: '/app', root: rel, user: { uid, gid: uid, name: 'app-cg' }, hostname: 'cg', limits: {} }, { onLine: (_s, l) => lines.push(l) });
  await waitFor(() => lines.includes('up') || undefined, { timeoutMs: 10_000, what: 'the instance to start' });
  const pid = (await run(['pgrep', '-u', String(uid), '-x', 'sleep'])).stdout.trim();
  // the host's view of the instance's groups: "4:memory:/…/slipway/<key>-cg-exit"
  const groups = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').map((l) => /^\d+:([^:]*):(.*\/slipway\/.*)$/.exec(l)).filter((m) => m !== null).map((m) => path.join('/sys/fs/cgroup', m[1] as string, m[2] as string));
  assert.equal(groups.length, host.controllers.length, `in a group per controller: ${groups.join(', ')}`);
  assert.ok(groups.every((g) => existsSync(g)));
  await inst.stop(2000);
  await waitFor(() => groups.every((g) => !existsSync(g)) || undefined, { timeoutMs: 10_000, what: 'the groups to be removed' });
});
