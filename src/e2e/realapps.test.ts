import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { commitAll, Daemon, httpGet } from '../testkit/index.js';

test("Heroku's Node getting-started shape deploys unchanged: unknown app.json keys are one warning each", async (t) => {
  const d = await Daemon.start(t);
  const dir = await d.appFromFixture(t, 'getting-started', 'node-getting-started', { push: false });
  const push = await d.git(['push', 'slipway', 'main'], dir);
  assert.equal(push.exitCode, 0, push.stderr);
  const warnings = push.stderr.split('\n').filter((l) => l.includes('is not used by Slipway'));
  assert.deepEqual(warnings.map((l) => l.replace(/^remote: +/, '').trim()), ['!     warning: app.json: "image" is not used by Slipway']);
  assert.match(push.stderr, /Launching\.\.\. done, v2/);
  const res = await httpGet(d.info.router, { host: `getting-started.${d.info.domain}` });
  assert.match(res.body, /^getting started on v\d+\./);
});

test('engines.node picks that Node from the shared runtime cache, for the build and the app; a range nothing matches fails the push', async (t) => {
  const d = await Daemon.start(t);
  const dir = await d.appFromFixture(t, 'pinned', 'node-engines', { push: false });
  const push = await d.git(['push', 'slipway', 'main'], dir);
  assert.equal(push.exitCode, 0, push.stderr);
  const chosen = /engines\.node "22\.x" -> (22\.\d+\.\d+)/.exec(push.stderr)?.[1];
  assert.ok(chosen, push.stderr);
  assert.match(push.stderr, new RegExp(`-----> Node\\.js v${chosen.replace(/\./g, '\\.')}, npm`), 'the build ran on it');
  const host = { host: `pinned.${d.info.domain}` };
  assert.equal((await httpGet(d.info.router, host)).body, `node v${chosen}\n`, 'and so does the app');

  appendFileSync(path.join(dir, 'server.js'), '// again\n');
  await commitAll(dir, 'again');
  const again = await d.git(['push', 'slipway', 'main'], dir);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.match(again.stderr, /from the shared runtime cache \(\d+ ms\)/, 'the second build reuses the runtime');

  for (const [range, message] of [
    ['>=99', /engines\.node ">=99" matches no Node release; available majors: .*\b22\b/],
    ['banana', /engines\.node "banana" is not a version range/],
  ] as const) {
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { engines: { node: string } };
    pkg.engines.node = range;
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
    await commitAll(dir, `engines ${range}`);
    const bad = await d.git(['push', 'slipway', 'main'], dir);
    assert.notEqual(bad.exitCode, 0, `engines.node "${range}" is refused`);
    assert.match(bad.stderr, message);
    assert.equal((await httpGet(d.info.router, host)).body, `node v${chosen}\n`, 'the running release is untouched');
  }
  const rels = (await d.api('GET', '/v1/apps/pinned/releases')).json as { version: number }[];
  assert.equal(rels[0]?.version, 3, 'no release was made by the refused pushes');
});

test('app.json deploy scripts: predeploy writes into the release before it starts, postdeploy output is in the push, a failing predeploy changes nothing', async (t) => {
  const d = await Daemon.start(t);
  const dir = await d.appFromFixture(t, 'scripts', 'dokku-scripts', { push: false });
  assert.equal((await d.cli(['config:set', '-a', 'scripts', 'GREETING=hola'])).exitCode, 0);
  const push = await d.git(['push', 'slipway', 'main'], dir);
  assert.equal(push.exitCode, 0, push.stderr);
  assert.match(push.stderr, /Running predeploy \(app\.json scripts\.dokku\.predeploy\)[^\n]*\n[^\n]*predeploy done/);
  assert.match(push.stderr, /Launching\.\.\. done, v3[\s\S]*Running postdeploy[^\n]*\n[^\n]*postdeploy ran in v3: written by predeploy of hola/);
  const host = { host: `scripts.${d.info.domain}` };
  assert.equal((await httpGet(d.info.router, host)).body, 'written by predeploy of hola\n');

  const appJson = readFileSync(path.join(dir, 'app.json'), 'utf8');
  writeFileSync(path.join(dir, 'app.json'), appJson.replace(/"predeploy": ".*",/, '"predeploy": "echo about to fail; exit 3",'));
  await commitAll(dir, 'failing predeploy');
  const bad = await d.git(['push', 'slipway', 'main'], dir);
  assert.notEqual(bad.exitCode, 0, 'the push is rejected');
  assert.match(bad.stderr, /about to fail/);
  assert.match(bad.stderr, /the predeploy script `echo about to fail; exit 3` exited with status 3/);
  assert.doesNotMatch(bad.stderr, /Running postdeploy/);
  assert.equal((await httpGet(d.info.router, host)).body, 'written by predeploy of hola\n', 'the running release is untouched');
  const rels = (await d.api('GET', '/v1/apps/scripts/releases')).json as { version: number }[];
  assert.equal(rels[0]?.version, 3);

  writeFileSync(path.join(dir, 'app.json'), appJson.replace(/"postdeploy": ".*",/, '"postdeploy": "echo post failing; exit 4",'));
  await commitAll(dir, 'failing postdeploy');
  const post = await d.git(['push', 'slipway', 'main'], dir);
  assert.equal(post.exitCode, 0, 'a failing postdeploy does not fail the push');
  assert.match(post.stderr, /post failing[\s\S]*postdeploy `echo post failing; exit 4` exited with status 4; v4 keeps running/);
  const [v4] = (await d.api('GET', '/v1/apps/scripts/releases')).json as { version: number; status: string }[];
  assert.deepEqual([v4?.version, v4?.status], [4, 'succeeded']);
});

test("an app that throws on start: the push shows the app's own error, and the hint fits a first deploy", async (t) => {
  const d = await Daemon.start(t);
  const dir = await d.appFromFixture(t, 'crashy', 'node-crash', { push: false });
  const push = await d.git(['push', 'slipway', 'main'], dir);
  assert.notEqual(push.exitCode, 0);
  assert.match(push.stderr, /web\.1 \(v2\) exited with status 1 before it was up/);
  assert.match(push.stderr, /output of web\.1 since it started:[\s\S]*booting node-crash[\s\S]*Error: DATABASE_URL is not set: add it with config:set/);
  assert.match(push.stderr, /the app exited while starting: its own output above says why/);
  assert.doesNotMatch(push.stderr, /previous release keeps running/, 'there is no previous release');
  assert.doesNotMatch(push.stderr, /npm notice/);
});
