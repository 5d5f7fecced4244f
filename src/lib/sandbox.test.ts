import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { spawn } from 'node:child_process';
import { bwrapArgs, ENV_LOADER, passwdFor, sandboxEnv, SANDBOX_ENV_FD, type SandboxSpec } from './sandbox.js';
import { buildCapProbe, probeReports } from './cap-probe.js';

/** Runs a sandbox the way the driver and the build step runner do: only PATH on the outside, the env on its fd. */
function runSandbox(spec: SandboxSpec): Promise<{ stdout: string; stderr: string; exitCode: number | null }> {
  const argv = bwrapArgs(spec);
  return new Promise((resolve, reject) => {
    const stdio: ('pipe' | 'ignore')[] = ['ignore', 'pipe', 'pipe', 'ignore', 'ignore', 'pipe'];
    const child = spawn(argv[0] as string, argv.slice(1), { stdio, env: { PATH: '/usr/bin:/bin' } });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    (child.stdio as unknown as NodeJS.WritableStream[])[SANDBOX_ENV_FD]!.end(sandboxEnv(spec.env));
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), exitCode }));
  });
}

const fakeHost = (p: string): 'dir' | 'link' | 'none' => (['/usr', '/etc'].includes(p) ? 'dir' : ['/bin', '/lib'].includes(p) ? 'link' : 'none');

test('bwrapArgs builds the exact argv, user values staying single elements', () => {
  const argv = bwrapArgs(
    {
      argv: ['sh', '-c', 'echo $(touch x)'],
      env: { PORT: '5000', EVIL: '$(touch /tmp/pwned); `id`' },
      cwd: '/app',
      uid: 70001,
      gid: 70001,
      hostname: 'hello',
      mounts: [{ src: '/srv/rel', dest: '/app', readOnly: true }],
      passwdFile: '/srv/passwd',
    },
    fakeHost,
  );
  assert.deepEqual(argv, [
    'bwrap', '--die-with-parent', '--new-session', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try',
    '--hostname', 'hello',
    '--ro-bind', '/usr', '/usr', '--ro-bind', '/etc', '/etc',
    '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib',
    '--ro-bind', '/srv/passwd', '/etc/passwd',
    '--proc', '/proc', '--dev', '/dev', '--perms', '1777', '--tmpfs', '/tmp', '--tmpfs', '/run', '--tmpfs', '/var',
    '--ro-bind', '/srv/rel', '/app',
    '--chdir', '/app', '--clearenv', '--setenv', 'PATH', '/usr/bin:/bin',
    '--',
    'setpriv', '--reuid=70001', '--regid=70001', '--clear-groups', '--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all', '--no-new-privs', '--pdeathsig', 'KILL', '--',
    'perl', '-e', ENV_LOADER, String(SANDBOX_ENV_FD), '--',
    'sh', '-c', 'echo $(touch x)',
  ]);
  assert.equal(sandboxEnv({ PORT: '5000', EVIL: '$(touch /tmp/pwned); `id`' }).toString(), 'PORT=5000\0EVIL=$(touch /tmp/pwned); `id`\0', 'the env goes to the env fd, not argv');
  assert.throws(() => sandboxEnv({ 'A=B': 'x' }), /invalid variable/);
});

test('a real sandbox runs as the given user and sees neither /root nor the host /tmp', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sbx-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'marker'), 'host tmp file');
  const pw = passwdFor('app-hello', 70123, 70123, '/app');
  writeFileSync(path.join(dir, 'passwd'), pw.passwd);
  const spec: SandboxSpec = {
    argv: ['sh', '-c', 'id -un; id -u; ls /root 2>&1 || true; ls /tmp; echo "$SECRET"; ls ' + dir + ' 2>&1 || true'],
    env: { PATH: '/usr/bin:/bin', SECRET: 'only-this' },
    cwd: '/',
    uid: 70123,
    gid: 70123,
    hostname: 'hello',
    mounts: [],
    passwdFile: path.join(dir, 'passwd'),
  };
  const r = await runSandbox(spec);
  assert.equal(r.exitCode, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], 'app-hello');
  assert.equal(lines[1], '70123');
  assert.match(r.stdout, /ls: cannot (open directory|access) '\/root'/);
  assert.ok(!r.stdout.includes('marker'), 'the host /tmp is not visible');
  assert.ok(r.stdout.includes('only-this'));
});

test('parents of a mount outside the system dirs are made traversable (bwrap would make them 0700)', () => {
  const argv = bwrapArgs({ argv: ['true'], env: {}, cwd: '/', hostname: 'h', mounts: [{ src: '/tmp/home-x/builds/bp', readOnly: true }], links: [{ path: '/app', target: '/workspace/app' }] }, fakeHost);
  const i = argv.indexOf('--perms', argv.indexOf('/var'));
  assert.deepEqual(argv.slice(i, i + 11), ['--perms', '0755', '--dir', '/tmp/home-x', '--perms', '0755', '--dir', '/tmp/home-x/builds', '--ro-bind', '/tmp/home-x/builds/bp', '/tmp/home-x/builds/bp']);
  assert.deepEqual(argv.slice(argv.indexOf('--symlink', i), argv.indexOf('--symlink', i) + 3), ['--symlink', '/workspace/app', '/app']);
});

test('an LD_PRELOAD in the env never loads into a privileged process; the app gets it, with no capabilities', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sbx-probe-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const probe = await buildCapProbe(path.join(dir, 'lib'));
  const pw = passwdFor('app-probe', 70124, 70124, '/app');
  writeFileSync(path.join(dir, 'passwd'), pw.passwd);
  const r = await runSandbox({
    // /bin/true loads the probe too: every process the app starts is unprivileged
    argv: ['bash', '-c', 'echo "weird=$SHELLOPTS_LIKE uid=$UID_X"; /bin/true'],
    env: { PATH: '/usr/bin:/bin', LD_PRELOAD: '/probe/probe.so', SHELLOPTS_LIKE: 'a b', UID_X: '0' },
    cwd: '/',
    uid: 70124,
    gid: 70124,
    hostname: 'probe',
    mounts: [{ src: path.join(dir, 'lib'), dest: '/probe', readOnly: true }],
    passwdFile: path.join(dir, 'passwd'),
  });
  assert.equal(r.exitCode, 0, r.stderr);
  const reports = probeReports(r.stderr);
  assert.ok(reports.length >= 2, `the probe ran in the app's processes: ${r.stderr}`);
  assert.deepEqual(reports.filter((p) => p.privileged).map((p) => p.line), [], 'no process that loaded the library had privilege');
  assert.ok(reports.every((p) => p.uid === 70124), r.stderr);
  assert.match(r.stdout, /weird=a b uid=0/);
});

test('the env loader passes names a shell would refuse (readonly in bash) and values with newlines and =', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sbx-env-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = await runSandbox({
    argv: ['env', '-0'],
    env: { SHELLOPTS: 'x', UID: '12', MULTI: 'a\nb=c', EMPTY: '' },
    cwd: '/',
    hostname: 'env',
    mounts: [],
  });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.deepEqual(r.stdout.split('\0').filter(Boolean).sort(), ['EMPTY=', 'MULTI=a\nb=c', 'SHELLOPTS=x', 'UID=12']);
});
