import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { waitFor } from '../lib/index.js';
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

test('app.json env on the first deploy, then deploy scripts: predeploy writes into the release, postdeploy output is in the push, a failing predeploy changes nothing', async (t) => {
  const d = await Daemon.start(t);
  const dir = await d.appFromFixture(t, 'scripts', 'dokku-scripts', { push: false });
  assert.equal((await d.cli(['config:set', '-a', 'scripts', 'GREETING=hola'])).exitCode, 0);
  const missing = await d.git(['push', 'slipway', 'main'], dir);
  assert.notEqual(missing.exitCode, 0, 'a required key with no value and no config var fails the build');
  assert.match(missing.stderr, /app\.json env: required config vars are not set: DATABASE_URL/);
  assert.equal((await d.cli(['config:set', '-a', 'scripts', 'DATABASE_URL=postgres://db/x'])).exitCode, 0);

  const push = await d.git(['push', 'slipway', 'main'], dir);
  assert.equal(push.exitCode, 0, push.stderr);
  assert.match(push.stderr, /app\.json env \(first deploy\): setting SECRET_KEY_BASE \(generated\), WEB_CONCURRENCY/);
  const config = (await d.api('GET', '/v1/apps/scripts/config')).json as Record<string, string>;
  assert.equal(config.GREETING, 'hola', 'a key already set is never overwritten');
  assert.equal(config.WEB_CONCURRENCY, '2');
  assert.match(config.SECRET_KEY_BASE ?? '', /^[0-9a-f]{64}$/);
  assert.ok(!push.stderr.includes(config.SECRET_KEY_BASE ?? 'x'), 'the generated secret is not logged');
  assert.match(push.stderr, /Running predeploy \(app\.json scripts\.dokku\.predeploy\)[^\n]*\n[^\n]*predeploy done/);
  assert.match(push.stderr, /Launching\.\.\. done, v4[\s\S]*Running postdeploy[^\n]*\n[^\n]*postdeploy ran in v4: written by predeploy of hola/);
  const host = { host: `scripts.${d.info.domain}` };
  assert.equal((await httpGet(d.info.router, host)).body, 'written by predeploy of hola\n');
  const ps = JSON.parse((await d.cli(['ps', '-a', 'scripts', '--json'])).stdout) as { formation: { type: string; quantity: number; memory_mb: number | null }[] };
  assert.deepEqual(ps.formation.map((f) => [f.type, f.quantity, f.memory_mb]), [['web', 1, 1024]], 'app.json formation: quantity and the memory of a standard-2x');

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
  assert.equal(rels[0]?.version, 4);

  writeFileSync(path.join(dir, 'app.json'), appJson.replace(/"postdeploy": ".*",/, '"postdeploy": "echo post failing; exit 4",').replace('"WEB_CONCURRENCY": "2"', '"WEB_CONCURRENCY": "3"'));
  await commitAll(dir, 'failing postdeploy');
  const post = await d.git(['push', 'slipway', 'main'], dir);
  assert.equal(post.exitCode, 0, 'a failing postdeploy does not fail the push');
  assert.match(post.stderr, /post failing[\s\S]*postdeploy `echo post failing; exit 4` exited with status 4; v5 keeps running/);
  assert.doesNotMatch(post.stderr, /app\.json env/, 'later deploys leave config alone');
  const [v5] = (await d.api('GET', '/v1/apps/scripts/releases')).json as { version: number; status: string }[];
  assert.deepEqual([v5?.version, v5?.status], [5, 'succeeded']);
  assert.equal(((await d.api('GET', '/v1/apps/scripts/config')).json as Record<string, string>).WEB_CONCURRENCY, '2');
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

test('a Plack app with a cpanfile serves its PSGI root and an unmodified CGI script through Plack::App::CGIBin', async (t) => {
  const d = await Daemon.start(t);
  const dir = await d.appFromFixture(t, 'seeds', 'perl-plack', { push: false });
  // The one requirement the system's Perl lacks comes from the app's own CPAN mirror, no network.
  assert.equal((await d.cli(['config:set', '-a', 'seeds', 'PERL_CPANM_OPT=--mirror file:///app/vendor/cpan --mirror-only'])).exitCode, 0);
  const push = await d.git(['push', 'slipway', 'main'], dir);
  assert.equal(push.exitCode, 0, push.stderr);
  assert.match(push.stderr, /-----> Perl app detected/);
  assert.match(push.stderr, /Running: cpanm --local-lib local --installdeps --notest \./);
  const [rel] = (await d.api('GET', '/v1/apps/seeds/releases')).json as { process_types: Record<string, string> }[];
  assert.match(rel?.process_types.web ?? '', /^plackup (-s Starman --workers \$\{WEB_CONCURRENCY:-2\} )?--port \$PORT app\.psgi$/);
  const host = { host: `seeds.${d.info.domain}` };
  assert.match((await httpGet(d.info.router, host)).body, /^seeds demo on Perl 5\.\d+\.\d+ and a greeting from the local CPAN mirror\n$/);
  assert.equal((await httpGet(`${d.info.router}/cgi-bin/hello.cgi?name=slipway`, host)).body, 'hello slipway from a CGI script (method GET)\n');

  appendFileSync(path.join(dir, 'app.psgi'), '# again\n');
  await commitAll(dir, 'again');
  const again = await d.git(['push', 'slipway', 'main'], dir);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.match(again.stderr, /Restoring local\/ from cache/);
});

test('a handler.pl function answers through the router and scales to zero like the JavaScript ones; a request wakes it', async (t) => {
  const d = await Daemon.start(t);
  const dir = await d.appFromFixture(t, 'fnperl', 'function-perl', { push: false });
  const push = await d.git(['push', 'slipway', 'main'], dir);
  assert.equal(push.exitCode, 0, push.stderr);
  assert.match(push.stderr, /Function app detected[\s\S]*handler\.pl returns a code ref called with the PSGI env/);
  const host = { host: `fnperl.${d.info.domain}` };
  const ok = await httpGet(`${d.info.router}/hello`, host);
  assert.deepEqual([ok.status, ok.body, ok.headers['x-fn']], [200, 'hello from handler.pl GET /hello\n', 'perl']);
  const boom = await httpGet(`${d.info.router}/boom`, host);
  assert.deepEqual([boom.status, boom.body], [500, 'internal error\n']);

  type Ps = { autoscale: { type: string; min: number; max: number; idle_seconds: number; status: string }[]; formation: { type: string; quantity: number }[] };
  const ps = async (): Promise<Ps> => JSON.parse((await d.cli(['ps', '-a', 'fnperl', '--json'])).stdout) as Ps;
  assert.deepEqual((await ps()).autoscale.map((a) => [a.type, a.min, a.max, a.idle_seconds]), [['web', 0, 4, 300]], 'the function default: scale to zero');
  assert.equal((await d.cli(['ps:autoscale', '-a', 'fnperl', 'web', '--min', '0', '--max', '4', '--idle', '10s'])).exitCode, 0);
  await waitFor(async () => (await ps()).autoscale[0]?.status === 'idle', { timeoutMs: 60_000, intervalMs: 500, what: 'the function to scale to zero' });
  const woken = await httpGet(`${d.info.router}/again`, host);
  assert.deepEqual([woken.status, woken.body], [200, 'hello from handler.pl GET /again\n'], 'a request wakes it');
});
