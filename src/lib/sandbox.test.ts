import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { bwrapArgs, passwdFor } from './sandbox.js';
import { run } from './exec.js';

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
    '--chdir', '/app', '--clearenv',
    '--setenv', 'PORT', '5000', '--setenv', 'EVIL', '$(touch /tmp/pwned); `id`',
    '--',
    'setpriv', '--reuid=70001', '--regid=70001', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--pdeathsig', 'KILL', '--',
    'sh', '-c', 'echo $(touch x)',
  ]);
});

test('a real sandbox runs as the given user and sees neither /root nor the host /tmp', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sbx-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'marker'), 'host tmp file');
  const pw = passwdFor('app-hello', 70123, 70123, '/app');
  writeFileSync(path.join(dir, 'passwd'), pw.passwd);
  const argv = bwrapArgs({
    argv: ['sh', '-c', 'id -un; id -u; ls /root 2>&1 || true; ls /tmp; echo "$SECRET"; ls ' + dir + ' 2>&1 || true'],
    env: { PATH: '/usr/bin:/bin', SECRET: 'only-this' },
    cwd: '/',
    uid: 70123,
    gid: 70123,
    hostname: 'hello',
    mounts: [],
    passwdFile: path.join(dir, 'passwd'),
  });
  const r = await run(argv, { allowFailure: true });
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
