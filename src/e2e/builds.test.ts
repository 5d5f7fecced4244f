import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import tar from 'tar-stream';
import type { BuildJson, ReleaseJson } from '../api/schemas.js';
import { run, waitFor } from '../lib/index.js';
import { commitAll, Daemon, fixtureRepo, FIXTURES, tempDir } from '../testkit/index.js';

type T = Parameters<typeof Daemon.start>[0];
const bp = (name: string): string => path.join(FIXTURES, 'buildpacks', name);
const releases = async (d: Daemon, app: string): Promise<ReleaseJson[]> => (await d.api('GET', `/v1/apps/${app}/releases`)).json as ReleaseJson[];

async function slowApp(t: T, d: Daemon, app: string, seconds: number): Promise<string> {
  await d.cli(['apps:create', app]);
  await d.cli(['buildpacks:set', '-a', app, bp('slow')]);
  await d.cli(['config:set', '-a', app, `SLOW_SECONDS=${seconds}`]);
  const dir = tempDir(t);
  writeFileSync(path.join(dir, 'README'), `slow ${app}\n`);
  return dir;
}

test('custom classic buildpacks run in order with export, .profile.d and release YAML, as the app user', async (t) => {
  const d = await Daemon.start(t);
  await d.cli(['apps:create', 'custom']);
  const set = await d.cli(['buildpacks:set', '-a', 'custom', bp('hello-classic'), bp('second-classic')]);
  assert.equal(set.exitCode, 0, set.stderr);
  assert.match(set.stdout, /1\. .*hello-classic\n2\. .*second-classic/);
  await d.cli(['config:set', '-a', 'custom', 'GREETING=bonjour', 'API_KEY=sk-very-secret-value', 'SHARED=mine']);
  const dir = await fixtureRepo(t, 'custom-bp');
  const deploy = await d.cli(['deploy', '-a', 'custom', dir]);
  assert.equal(deploy.exitCode, 0, deploy.stderr);
  assert.equal(deploy.stdout, 'v3\n');
  assert.match(deploy.stderr, /-----> Installing hello\n.*\n?.*Greeting is: bonjour/);
  assert.match(deploy.stderr, /HELLO_EXPORTED=from-hello/);
  assert.ok(!deploy.stderr.includes('sk-very-secret-value'), 'config values are not logged by the platform');

  const [rel] = await releases(d, 'custom');
  assert.equal(rel?.description, 'Deploy (upload)');
  assert.deepEqual(rel?.process_types, { web: './bin/hello-web $PORT --from-second', worker: 'while true; do echo tick; sleep 60; done' });
  const config = (await d.api('GET', '/v1/apps/custom/config')).json as Record<string, string>;
  assert.equal(config.HELLO_CONFIG, 'from-release', 'buildpack config_vars fill in missing keys');
  assert.equal(config.SHARED, 'mine', "and never override the app's own");
  assert.ok(!('' in config));

  const relDir = path.join(d.home, 'releases', 'custom', rel?.slug ?? '');
  assert.equal(readFileSync(path.join(relDir, '.profile.d', 'hello.sh'), 'utf8'), 'export HELLO_FROM_PROFILE=yes\n');
  assert.equal(readFileSync(path.join(relDir, 'greeting.txt'), 'utf8'), 'bonjour\n');
  assert.equal(readFileSync(path.join(relDir, 'second.txt'), 'utf8'), 'from-hello\n');
  assert.notEqual(statSync(path.join(relDir, 'greeting.txt')).uid, 0, 'built by the app user, not root');
  assert.ok(!existsSync(path.join(bp('hello-classic'), 'export')), "the operator's buildpack directory was not written to");
});

test('builds run sandboxed as the app user and a daemon killed mid-build leaves no half release', async (t) => {
  const d = await Daemon.start(t);
  const dir = await slowApp(t, d, 'sleepy', 30);
  const before = await releases(d, 'sleepy');
  const deploy = d.cli(['deploy', '-a', 'sleepy', dir]);
  await waitFor(async () => ((await d.api('GET', '/v1/apps/sleepy/builds')).json as BuildJson[])[0]?.status === 'running' && existsSync(path.join(d.home, 'builds', 'sleepy')), { timeoutMs: 20_000, what: 'the build to run' });
  const uidFile = await waitFor(() => {
    const f = findFile(path.join(d.home, 'builds', 'sleepy'), 'root-listing');
    return f && readFileSync(f, 'utf8') ? path.join(path.dirname(f), 'built-by-uid') : undefined;
  }, { timeoutMs: 20_000, what: 'compile to start' });
  const uid = readFileSync(uidFile, 'utf8').trim();
  assert.match(uid, /^[1-9]\d{4,}$/, 'the build runs as the app uid');
  assert.match(readFileSync(path.join(path.dirname(uidFile), 'root-listing'), 'utf8'), /Permission denied|No such file|no access/);

  await d.stop('SIGKILL');
  const cut = await deploy;
  assert.notEqual(cut.exitCode, 0);
  await waitFor(async () => (await run(['pgrep', '-u', uid, '-f', 'sleep 30'], { allowFailure: true })).exitCode === 1, { timeoutMs: 10_000, what: 'the sandboxed build to die with the daemon' });

  await d.boot();
  const [build] = (await d.api('GET', '/v1/apps/sleepy/builds')).json as BuildJson[];
  assert.equal(build?.status, 'failed');
  assert.match(build?.error ?? '', /interrupted/);
  assert.deepEqual(await releases(d, 'sleepy'), before, 'no half release');
  assert.ok(!existsSync(path.join(d.home, 'builds', 'sleepy')), 'the workspace is cleaned at start-up');
  await d.cli(['config:set', '-a', 'sleepy', 'SLOW_SECONDS=0']);
  const next = await d.cli(['deploy', '-a', 'sleepy', dir]);
  assert.equal(next.exitCode, 0, next.stderr);
});

test('one build per app: a second deploy waits and says so; a build past its time limit is killed', async (t) => {
  const d = await Daemon.start(t, { args: ['--build-timeout', '4'] });
  const dir = await slowApp(t, d, 'queued', 2);
  const [a, b] = await Promise.all([d.cli(['deploy', '-a', 'queued', dir]), d.cli(['deploy', '-a', 'queued', dir])]);
  assert.equal(a.exitCode, 0, a.stderr);
  assert.equal(b.exitCode, 0, b.stderr);
  assert.equal([a, b].filter((r) => r.stderr.includes('Waiting for the running build of queued to finish')).length, 1);
  assert.deepEqual((await releases(d, 'queued')).slice(0, 2).map((r) => r.name), ['v4', 'v3']);

  await d.cli(['config:set', '-a', 'queued', 'SLOW_SECONDS=60']);
  const started = Date.now();
  const slow = await d.cli(['deploy', '-a', 'queued', dir]);
  assert.equal(slow.exitCode, 1);
  assert.match(slow.stderr, /the build passed its time limit \(4 s\) and was stopped/);
  assert.ok(Date.now() - started < 30_000, 'killed at the limit, not after the sleep');
  assert.equal((await releases(d, 'queued'))[0]?.name, 'v5', 'only the config release; no build release');
});

test('archives that leave the tree are refused before anything is extracted', async (t) => {
  const d = await Daemon.start(t);
  await d.cli(['apps:create', 'slip']);
  const outside = path.join(d.home, 'builds', 'evil.txt');
  for (const entry of [{ name: '../evil.txt' }, { name: '/tmp/evil.txt' }, { name: 'link', type: 'symlink' as const, linkname: '/etc/passwd' }, { name: 'a/../../evil.txt' }]) {
    const pack = tar.pack();
    pack.entry({ name: 'Procfile' }, 'worker: true\n');
    if (entry.type === 'symlink') pack.entry({ name: entry.name, type: 'symlink', linkname: entry.linkname });
    else pack.entry({ name: entry.name }, 'pwned\n');
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const c of pack) chunks.push(c as Buffer);
    const res = await fetch(`${d.info.api}/v1/apps/slip/builds`, { method: 'POST', headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/x-tar' }, body: Buffer.concat(chunks) });
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { error?: { code: string; message: string } });
    const err = lines.find((l) => l.error)?.error;
    assert.equal(err?.code, 'E_ARCHIVE_INVALID', `${entry.name}: ${JSON.stringify(lines)}`);
    assert.ok(!existsSync(outside));
  }
  assert.equal((await releases(d, 'slip')).length, 1, 'no release');
  const odd = tempDir(t);
  for (const f of ['+page.svelte', 'with space.txt', 'café.md']) writeFileSync(path.join(odd, f), 'ok');
  writeFileSync(path.join(odd, 'Procfile'), 'worker: true\n');
  const ok = await d.cli(['deploy', '-a', 'slip', odd]);
  assert.equal(ok.exitCode, 0, ok.stderr);
  const [rel] = await releases(d, 'slip');
  for (const f of ['+page.svelte', 'with space.txt', 'café.md']) assert.ok(existsSync(path.join(d.home, 'releases', 'slip', rel?.slug ?? '', f)), f);
});

test('a Procfile committed as a symlink out of the tree is refused; app.json buildpacks are used', async (t) => {
  const d = await Daemon.start(t);
  const dir = await d.appFromFixture(t, 'linky', 'procfile-only', { push: false });
  await run(['git', 'rm', '-q', 'Procfile'], { cwd: dir });
  symlinkSync('/etc/passwd', path.join(dir, 'Procfile'));
  await commitAll(dir, 'symlinked Procfile');
  const push = await d.git(['push', 'slipway', 'main'], dir);
  assert.notEqual(push.exitCode, 0);
  assert.match(push.stderr, /Procfile.*(symlink|leaves)/);
  assert.equal((await releases(d, 'linky')).length, 1);

  await run(['git', 'rm', '-q', 'Procfile'], { cwd: dir });
  mkdirSync(path.join(dir, 'site'));
  writeFileSync(path.join(dir, 'hello.txt'), 'hi');
  writeFileSync(path.join(dir, 'app.json'), JSON.stringify({ buildpacks: [{ url: bp('hello-classic') }] }));
  await commitAll(dir, 'app.json buildpacks');
  const ok = await d.git(['push', 'slipway', 'main'], dir);
  assert.equal(ok.exitCode, 0, ok.stderr);
  assert.match(ok.stderr, /Installing hello/);
  const bad = await d.cli(['buildpacks:set', '-a', 'linky', 'relative/path']);
  assert.equal(bad.exitCode, 1);
  assert.match(bad.stderr, /error: .*relative/i);
});

function findFile(root: string, name: string): string | undefined {
  if (!existsSync(root)) return undefined;
  for (const e of readdirSync(root, { withFileTypes: true })) {
    const p = path.join(root, e.name);
    if (e.isFile() && e.name === name) return p;
    if (e.isDirectory() && !e.isSymbolicLink()) {
      const f = findFile(p, name);
      if (f) return f;
    }
  }
  return undefined;
}
