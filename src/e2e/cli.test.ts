import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { run } from '../lib/index.js';
import { Daemon, tempDir } from '../testkit/index.js';

test('the user flow of the quick start works through the real CLI', async (t) => {
  const d = await Daemon.start(t);
  const create = await d.cli(['apps:create', 'hello']);
  assert.equal(create.exitCode, 0, create.stderr);
  const port = new URL(d.info.router).port;
  assert.equal(create.stdout.trim(), `http://hello.localhost:${port} | ${d.info.api}/git/hello.git`);
  assert.match(create.stderr, /Creating hello\.\.\. done/);

  const list = await d.cli(['apps']);
  assert.match(list.stdout, /^NAME\s+URL\s+RELEASE\nhello\s+http:\/\/hello\.localhost:\d+\s+v1\n$/);

  const info = JSON.parse((await d.cli(['apps:info', '-a', 'hello', '--json'])).stdout);
  assert.equal(info.name, 'hello');
  assert.equal(info.git_url, `${d.info.api}/git/hello.git`);
  assert.equal(info.release, 'v1');

  const set = await d.cli(['config:set', '-a', 'hello', 'GREETING=hi', 'MOTTO=two words', 'EQ=a=b']);
  assert.equal(set.exitCode, 0, set.stderr);
  assert.match(set.stderr, /Setting GREETING, MOTTO, EQ and restarting hello\.\.\. done, v2/);

  const table = await d.cli(['config', '-a', 'hello']);
  assert.match(table.stdout, /=== hello Config Vars\n/);
  assert.match(table.stdout, /GREETING: hi\n/);
  assert.match(table.stdout, /MOTTO:\s+two words\n/);
  assert.deepEqual(JSON.parse((await d.cli(['config', '-a', 'hello', '--json'])).stdout), { GREETING: 'hi', MOTTO: 'two words', EQ: 'a=b' });
  assert.equal((await d.cli(['config:get', '-a', 'hello', 'GREETING'])).stdout, 'hi\n');
  assert.equal((await d.cli(['config:get', '-a', 'hello', 'NOPE'])).stdout, '\n');

  const unset = await d.cli(['config:unset', '-a', 'hello', 'GREETING']);
  assert.match(unset.stderr, /Unsetting GREETING and restarting hello\.\.\. done, v3/);
  assert.equal((await d.cli(['config:get', '-a', 'hello', 'GREETING'])).stdout, '\n');

  const rels = JSON.parse((await d.cli(['releases', '-a', 'hello', '--json'])).stdout) as { name: string; description: string }[];
  assert.deepEqual(rels.map((r) => `${r.name} ${r.description}`), ['v3 Remove GREETING config vars', 'v2 Set GREETING, MOTTO, EQ config vars', 'v1 Initial release']);
  assert.ok(!JSON.stringify(rels).includes('two words'), 'release listings never show config values');

  const refused = await d.cli(['apps:destroy', 'hello']);
  assert.equal(refused.exitCode, 1);
  assert.match(refused.stderr, /--confirm hello/);
  const wrong = await d.cli(['apps:destroy', 'hello', '--confirm', 'other']);
  assert.equal(wrong.exitCode, 1);
  assert.equal((await d.cli(['apps:info', '-a', 'hello'])).exitCode, 0, 'nothing destroyed without confirmation');

  const destroy = await d.cli(['apps:destroy', 'hello', '--confirm', 'hello']);
  assert.equal(destroy.exitCode, 0, destroy.stderr);
  const gone = await d.cli(['apps:info', '-a', 'hello']);
  assert.equal(gone.exitCode, 1);
  assert.match(gone.stderr, /error: app hello not found\nhint: run `slipway apps` to list apps/);
});

test('bad input gets a clear error and a non-zero exit', async (t) => {
  const d = await Daemon.start(t);
  for (const name of ['Hello', 'a..b', 'a/b', 'a;b', 'my app', 'héllo', 'x'.repeat(200)]) {
    const r = await d.cli(['apps:create', name]);
    assert.equal(r.exitCode, 1, name);
    assert.match(r.stderr, /error: invalid app name .*lowercase letters, digits and dashes/, name);
  }
  assert.match((await d.cli(['apps:create', 'api'])).stderr, /reserved/);
  assert.equal((await d.cli(['apps:create', 'dup'])).exitCode, 0);
  assert.match((await d.cli(['apps:create', 'dup'])).stderr, /error: app dup already exists/);

  const badKey = await d.cli(['config:set', '-a', 'dup', '1BAD=x']);
  assert.equal(badKey.exitCode, 1);
  assert.match(badKey.stderr, /invalid config key "1BAD"/);
  const noEq = await d.cli(['config:set', '-a', 'dup', 'JUSTKEY']);
  assert.equal(noEq.exitCode, 2, 'usage errors exit 2');
  const huge = await d.cli(['config:set', '-a', 'dup', `BIG=secretvalue${'x'.repeat(40_000)}`]);
  assert.equal(huge.exitCode, 1);
  assert.match(huge.stderr, /limit is 32768 bytes/);
  assert.ok(!huge.stderr.includes('secretvalue'), 'values never appear in errors');

  const unknown = await d.cli(['frobnicate']);
  assert.equal(unknown.exitCode, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  const noApp = await d.cli(['config'], { cwd: tempDir(t) });
  assert.equal(noApp.exitCode, 1);
  assert.match(noApp.stderr, /error: no app specified\nhint: pass -a APP/);
});

test('help lists every command and each command has an example', async (t) => {
  const d = await Daemon.start(t);
  const help = await d.cli(['--help']);
  assert.equal(help.exitCode, 0);
  const commands = ['server', 'apps', 'apps:create', 'apps:info', 'apps:destroy', 'config', 'config:get', 'config:set', 'config:unset', 'releases', 'rollback', 'git:remote', 'git:clone', 'deploy', 'builds', 'builds:output', 'builds:cache:clear', 'buildpacks', 'buildpacks:set', 'buildpacks:add', 'buildpacks:clear', 'ps', 'ps:scale', 'ps:autoscale', 'ps:resize', 'ps:restart', 'logs', 'domains', 'domains:add', 'domains:remove', 'open', 'login', 'logout'];
  for (const c of commands) {
    assert.match(help.stdout, new RegExp(`\\n  ${c}[ \\[<]`), c);
    const h = await d.cli([c, '--help']);
    assert.equal(h.exitCode, 0, c);
    assert.match(h.stdout, /Example:\n  \$ slipway /, c);
  }
});

test('the CLI finds its server from SLIPWAY_HOME, from login, and the app from SLIPWAY_APP or the git remote', async (t) => {
  const d = await Daemon.start(t);
  await d.cli(['apps:create', 'found']);
  const noUrl = { SLIPWAY_URL: '', SLIPWAY_TOKEN: '' };

  const local = await d.cli(['apps', '--json'], { env: { ...noUrl, SLIPWAY_HOME: d.home } });
  assert.equal(local.exitCode, 0, local.stderr);
  assert.equal(JSON.parse(local.stdout)[0].name, 'found');

  const none = await d.cli(['apps'], { env: { ...noUrl, SLIPWAY_HOME: tempDir(t) } });
  assert.equal(none.exitCode, 1);
  assert.match(none.stderr, /no Slipway server configured\nhint: run `slipway login/);

  const badLogin = await d.cli(['login', '--url', d.info.api, '--token', 'wrong'], { env: noUrl });
  assert.equal(badLogin.exitCode, 1);
  assert.match(badLogin.stderr, /missing or invalid token/);
  const login = await d.cli(['login', '--url', d.info.api, '--token', d.token], { env: noUrl });
  assert.equal(login.exitCode, 0, login.stderr);
  const credFile = path.join(d.configHome, 'slipway', 'credentials.json');
  assert.equal(statSync(credFile).mode & 0o777, 0o600);
  const viaLogin = await d.cli(['apps:info', '--json'], { env: { ...noUrl, SLIPWAY_APP: 'found', SLIPWAY_HOME: tempDir(t) } });
  assert.equal(JSON.parse(viaLogin.stdout).name, 'found');

  const repo = tempDir(t);
  await run(['git', 'init', '-q', repo]);
  await run(['git', '-C', repo, 'remote', 'add', 'slipway', `${d.info.api}/git/found.git`]);
  const viaRemote = await d.cli(['apps:info', '--json'], { cwd: repo });
  assert.equal(JSON.parse(viaRemote.stdout).name, 'found');

  assert.match((await d.cli(['logout'], { env: noUrl })).stderr, /Logged out/);
  const afterLogout = await d.cli(['apps'], { env: { ...noUrl, SLIPWAY_HOME: tempDir(t) } });
  assert.equal(afterLogout.exitCode, 1);
});

test('a stopped server gives a clear error, not a stack trace', async (t) => {
  const d = await Daemon.start(t);
  assert.equal(await d.stop('SIGTERM'), 0, 'SIGTERM stops cleanly');
  const r = await d.cli(['apps']);
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /^error: cannot reach the Slipway server at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\nhint: is it running\?/);
  assert.throws(() => statSync(path.join(d.home, 'server.json')), 'server.json is removed on a clean stop');
});

test('a second server on the same home refuses to start and says why', async (t) => {
  const d = await Daemon.start(t);
  const second = await d.cli(['server', '--home', d.home, '--api-listen', '127.0.0.1:0', '--router-listen', '127.0.0.1:0']);
  assert.equal(second.exitCode, 1);
  assert.match(second.stderr, new RegExp(`another slipway server \\(pid ${d.info.pid}\\) is already running on ${d.home}`));
  assert.equal((await d.cli(['apps'])).exitCode, 0, 'the first one still serves');
  writeFileSync(path.join(tempDir(t), 'x'), '');
});
