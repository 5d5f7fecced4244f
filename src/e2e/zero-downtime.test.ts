import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { PsJson } from '../api/schemas.js';
import { run, waitFor } from '../lib/index.js';
import { commitAll, Daemon, Load } from '../testkit/index.js';

test('no request fails during redeploys, a rollback, config:set, scaling and a kill -9 of an instance', async (t) => {
  const d = await Daemon.start(t);
  const dir = await d.appFromFixture(t, 'steady', 'web-worker');
  assert.equal((await d.cli(['ps:scale', '-a', 'steady', 'web=2'])).exitCode, 0);
  await d.cli(['apps:settings:set', '-a', 'steady', 'drain-timeout=5', 'stop-timeout=5']);

  const load = new Load({ url: `${d.info.router}/`, host: `steady.localhost:${new URL(d.info.router).port}`, rps: 100, maxMs: 240_000 });
  t.after(() => load.stop());
  load.start('warm-up');
  await new Promise((r) => setTimeout(r, 500));
  const server = path.join(dir, 'server.cjs');
  for (let i = 1; i <= 2; i++) {
    load.phase(`redeploy ${i}`);
    writeFileSync(server, `${readFileSync(server, 'utf8')}\n// change ${i}\n`);
    await commitAll(dir, `change ${i}`);
    const push = await d.git(['push', 'slipway', 'main'], dir);
    assert.equal(push.exitCode, 0, push.stderr);
  }
  load.phase('rollback');
  assert.equal((await d.cli(['rollback', '-a', 'steady'])).exitCode, 0);
  load.phase('config:set');
  assert.equal((await d.cli(['config:set', '-a', 'steady', 'GREETING=steady'])).exitCode, 0);
  load.phase('scale 2→4→2');
  assert.equal((await d.cli(['ps:scale', '-a', 'steady', 'web=4'])).exitCode, 0);
  assert.equal((await d.cli(['ps:scale', '-a', 'steady', 'web=2'])).exitCode, 0);
  load.phase('kill -9 web.1');
  const web1 = ((await d.api('GET', '/v1/apps/steady/ps')).json as PsJson).instances.find((i) => i.name === 'web.1');
  const pid = /pid=(\d+)/.exec((await run(['ss', '-ltnpH', `sport = :${web1?.port}`], { allowFailure: true })).stdout)?.[1];
  assert.ok(pid);
  process.kill(Number(pid), 'SIGKILL');
  await waitFor(async () => ((await d.api('GET', '/v1/apps/steady/ps')).json as PsJson).instances.filter((i) => i.state === 'up').length === 2, { timeoutMs: 20_000, what: 'web.1 back up' });
  await new Promise((r) => setTimeout(r, 500));
  const phases = await load.stop();
  t.diagnostic(phases.map((p) => `${p.phase}: ${p.sent} sent, ${p.failed} failed ${JSON.stringify(p.failures)}`).join('\n'));
  assert.ok(phases.length >= 7, 'every phase saw traffic');
  for (const p of phases) assert.equal(p.failed, 0, `${p.phase}: ${JSON.stringify(p.failures)}`);
});

test('the post-release guard rolls back a release that crash-loops after its deploy', async (t) => {
  const d = await Daemon.start(t);
  const dir = await d.appFromFixture(t, 'guarded', 'web-worker');
  const set = await d.cli(['config:set', '-a', 'guarded', 'CRASH_AFTER_MS=1500']);
  assert.equal(set.exitCode, 0, 'the bad release passes its deploy checks');
  const rels = async () => JSON.parse((await d.cli(['releases', '-a', 'guarded', '--json'])).stdout) as { name: string; description: string; status: string }[];
  await waitFor(async () => (await rels())[0]?.description === 'Rollback to v2', { timeoutMs: 30_000, what: 'the guard to roll back' });
  const after = await rels();
  assert.deepEqual(after.slice(0, 3).map((r) => `${r.name} ${r.status} ${r.description}`), ['v4 succeeded Rollback to v2', 'v3 failed Set CRASH_AFTER_MS config vars', 'v2 succeeded Deploy ' + after[2]?.description.slice(7)]);
  const logs = (await d.cli(['logs', '-a', 'guarded', '--source', 'platform', '-n', '200'])).stdout;
  assert.match(logs, /Post-release guard: v3 crashed 3 times within \d+ s of its deploy; rolling back to v2/);
  assert.equal((await d.cli(['config:get', '-a', 'guarded', 'CRASH_AFTER_MS'])).stdout, '\n');
});
