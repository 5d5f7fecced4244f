import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { BuildJson, ReleaseJson } from '../api/schemas.js';
import { commitAll, Daemon } from '../testkit/index.js';

const releases = async (d: Daemon, app: string): Promise<ReleaseJson[]> => (await d.api('GET', `/v1/apps/${app}/releases`)).json as ReleaseJson[];

test('git push of a Node app with dependencies builds release v2; a redeploy restores node_modules from the cache', async (t) => {
  const d = await Daemon.start(t);
  const dir = await d.appFromFixture(t, 'hello', 'node-deps', { push: false });
  const push = await d.git(['push', 'slipway', 'main'], dir);
  assert.equal(push.exitCode, 0, push.stderr);
  assert.match(push.stderr, /remote: -----> Node\.js app detected/);
  assert.match(push.stderr, /remote: -----> Launching\.\.\. done, v2/);
  assert.match(push.stderr, /remote: +http:\/\/hello\.localhost:\d+ deployed to Slipway/);
  const sha = (await d.git(['rev-parse', 'HEAD'], dir)).stdout.trim();
  const [v2] = await releases(d, 'hello');
  assert.equal(v2?.name, 'v2');
  assert.equal(v2?.description, `Deploy ${sha.slice(0, 7)}`);
  assert.deepEqual(Object.keys(v2?.process_types ?? {}), ['web']);
  assert.match(v2?.process_types['web'] ?? '', / sh -c 'exec node index\.js'$/, "npm start's script, run without npm");

  const rel = path.join(d.home, 'releases', 'hello', v2?.slug ?? '');
  assert.ok(existsSync(path.join(rel, 'node_modules')), 'dependencies are in the release');
  assert.ok(existsSync(path.join(d.home, 'slugs', 'hello', `${v2?.slug}.tar.zst`)), 'the slug is stored compressed');
  assert.ok(!existsSync(path.join(d.home, 'builds', 'hello', v2?.slug ?? 'x')), 'the workspace is gone');

  appendFileSync(path.join(dir, 'index.js'), '\n// one-line change\n');
  await commitAll(dir, 'change');
  const again = await d.git(['push', 'slipway', 'main'], dir);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.match(again.stderr, /Restoring node_modules from cache/);
  assert.doesNotMatch(again.stderr, /npm ci/);
  assert.match(again.stderr, /Launching\.\.\. done, v3/);

  const builds = (await d.api('GET', '/v1/apps/hello/builds')).json as BuildJson[];
  assert.deepEqual(builds.map((b) => [b.status, b.release]), [['succeeded', 'v3'], ['succeeded', 'v2']]);
  const list = await d.cli(['builds', '-a', 'hello']);
  assert.match(list.stdout, /^ID +STATUS +COMMIT +RELEASE +DURATION +CREATED\n[0-9a-f]{12} +succeeded +[0-9a-f]{7} +v3 +\d+\.\ds /);
  const output = await d.cli(['builds:output', '-a', 'hello']);
  assert.match(output.stdout, /-----> Node\.js app detected\n/);
  assert.match(output.stdout, /-----> Launching\.\.\. done, v3\n/);
  const first = await d.cli(['builds:output', '-a', 'hello', builds[1]?.id ?? '']);
  assert.match(first.stdout, /done, v2/);

  const cloneDir = path.join(dir, '..', `clone-of-hello-${process.pid}`);
  t.after(() => rmSync(cloneDir, { recursive: true, force: true }));
  const clone = await d.cli(['git:clone', '-a', 'hello', cloneDir]);
  assert.equal(clone.exitCode, 0, `an authenticated clone works: ${clone.stderr}`);
  assert.equal(readFileSync(path.join(cloneDir, 'index.js'), 'utf8'), readFileSync(path.join(dir, 'index.js'), 'utf8'));
  assert.equal((await d.git(['push', 'slipway', 'main'], cloneDir)).exitCode, 0, 'the clone can push without a password');
  const withToken = new URL(`${d.info.api}/git/hello.git`);
  withToken.username = 'any';
  withToken.password = d.token;
  assert.equal((await d.git(['ls-remote', withToken.href], '/')).exitCode, 0, 'basic auth with the token as password');
  const anon = await d.git(['-c', 'credential.helper=', 'ls-remote', `${d.info.api}/git/hello.git`], '/');
  assert.notEqual(anon.exitCode, 0, 'git without the token is refused');
});

test('python, static and Procfile-only apps are detected and get their process types', async (t) => {
  const d = await Daemon.start(t);
  const cases: [string, RegExp, Record<string, string>][] = [
    ['python-stdlib', /Python app detected/, { web: 'python app.py' }],
    ['static-site', /Static app detected/, { web: 'node .slipway/static-server.mjs' }],
    ['procfile-only', /Procfile app detected/, {}],
  ];
  for (const [fixture, detected, types] of cases) {
    const app = fixture.replace(/[^a-z-]/g, '');
    const dir = await d.appFromFixture(t, app, fixture, { push: false });
    const push = await d.git(['push', 'slipway', 'main'], dir);
    assert.equal(push.exitCode, 0, `${fixture}: ${push.stderr}`);
    assert.match(push.stderr, detected);
    const [rel] = await releases(d, app);
    if (fixture === 'procfile-only') assert.ok('web' in (rel?.process_types ?? {}), 'Procfile types');
    else assert.deepEqual(rel?.process_types, types, fixture);
  }
});

test('a failing build rejects the push, keeps the ref and the release, and shows why', async (t) => {
  const d = await Daemon.start(t);
  const dir = await d.appFromFixture(t, 'shaky', 'procfile-only', { push: false });
  assert.equal((await d.git(['push', 'slipway', 'main'], dir)).exitCode, 0);
  const good = (await d.git(['ls-remote', 'slipway', 'main'], dir)).stdout;
  const before = await releases(d, 'shaky');

  writeFileSync(path.join(dir, 'Procfile'), 'web: node server.cjs\nworker node worker.js\n');
  await commitAll(dir, 'broken Procfile');
  const push = await d.git(['push', 'slipway', 'main'], dir);
  assert.notEqual(push.exitCode, 0);
  assert.match(push.stderr, /remote: +! +Procfile line 2/);
  assert.match(push.stderr, /pre-receive hook declined/);
  assert.doesNotMatch(push.stderr, /at .*\.js:\d+/, 'no stack trace');
  assert.equal((await d.git(['ls-remote', 'slipway', 'main'], dir)).stdout, good, 'the ref is not updated');
  assert.deepEqual(await releases(d, 'shaky'), before, 'no release was made');

  writeFileSync(path.join(dir, 'Procfile'), 'web: node server.cjs\n');
  writeFileSync(path.join(dir, 'package.json'), '{"name": "x",\n  "scripts": {,}\n}\n');
  await commitAll(dir, 'bad package.json');
  const bad = await d.git(['push', 'slipway', 'main'], dir);
  assert.notEqual(bad.exitCode, 0);
  assert.match(bad.stderr, /package\.json is not valid JSON/);
  assert.deepEqual(await releases(d, 'shaky'), before);
  const builds = (await d.api('GET', '/v1/apps/shaky/builds')).json as BuildJson[];
  assert.equal(builds[0]?.status, 'failed');
});

test('only main or master deploy; nothing detected lists what was tried; a force-push builds', async (t) => {
  const d = await Daemon.start(t);
  const dir = await d.appFromFixture(t, 'branchy', 'procfile-only', { push: false });
  const other = await d.git(['push', 'slipway', 'main:feature'], dir);
  assert.notEqual(other.exitCode, 0);
  assert.match(other.stderr, /Pushing to feature does not deploy: Slipway builds the main or master branch/);

  writeFileSync(path.join(dir, 'notes.txt'), 'nothing to build here');
  await d.git(['rm', '-q', 'Procfile', 'server.cjs'], dir);
  await commitAll(dir, 'empty');
  const none = await d.git(['push', 'slipway', 'main'], dir);
  assert.notEqual(none.exitCode, 0);
  assert.match(none.stderr, /No buildpack detected this app \(tried: function, nodejs, python, perl, static, procfile\)/);
  assert.match(none.stderr, /slipway buildpacks:set/);

  await d.git(['reset', '-q', '--hard', 'HEAD~1'], dir);
  // master deploys as main does (Slipway's rule, not git's)
  const master = await d.git(['push', 'slipway', 'main:master'], dir);
  assert.equal(master.exitCode, 0, master.stderr);
  assert.match(master.stderr, /Launching\.\.\. done, v2/);
  assert.equal((await d.git(['push', 'slipway', 'main'], dir)).exitCode, 0);
  await d.git(['commit', '-q', '--amend', '-m', 'rewritten'], dir);
  const forced = await d.git(['push', '-f', 'slipway', 'main'], dir);
  assert.equal(forced.exitCode, 0, forced.stderr);
  assert.match(forced.stderr, /forced update/);
  assert.match(forced.stderr, /Launching\.\.\. done, v4/);
});
