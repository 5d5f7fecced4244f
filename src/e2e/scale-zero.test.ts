// Scale to zero end to end: a real daemon, a pushed app, HAProxy and the activator.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { waitFor } from '../lib/index.js';
import { Daemon, httpGet } from '../testkit/index.js';

interface Ps {
  instances: { name: string; state: string }[];
  formation: { type: string; quantity: number }[];
  autoscale: { type: string; min: number; max: number; status: string }[];
}

test('scale to zero: rules are checked; idle → no instance; a request wakes it; 20 requests during a wake all succeed; a crashing wake answers 503', async (t) => {
  const d = await Daemon.start(t, { args: ['--autoscale-tick', '250'] });
  await d.appFromFixture(t, 'zed', 'scale-zero');
  const host = `zed.localhost:${new URL(d.info.router).port}`;
  const ps = async (): Promise<Ps> => JSON.parse((await d.cli(['ps', '-a', 'zed', '--json'])).stdout) as Ps;
  const logs = async (): Promise<string> => (await d.cli(['logs', '-a', 'zed', '-n', '500'])).stdout;
  // the fixture asks this at start-up and exits when it says `crash`
  let answer = 'ok';
  const control = http.createServer((_req, res) => res.end(answer));
  await new Promise<void>((r) => control.listen(0, '127.0.0.1', () => r()));
  t.after(() => control.close());
  const idle = async (): Promise<boolean> => {
    const p = await ps();
    return p.autoscale[0]?.status === 'idle' && p.formation.find((f) => f.type === 'web')?.quantity === 0 && !p.instances.some((i) => i.state === 'up');
  };

  await t.test('bad rules are refused with the rule, and nothing changes', async () => {
    const cases: [string[], RegExp][] = [
      [['--min', '3', '--max', '2'], /--min \(3\) must not be greater than --max \(2\)/],
      [['--min', '0', '--max', '2', '--idle', '2s'], /--idle must be from 10s to 7d \(got 2s\)/],
      [['--max', 'four'], /--max four: must be a whole number/],
      [['--min=-1', '--max', '2'], /--min -1: must be a whole number of 0 or more/],
      [['--max', '2', '--idle', 'soon'], /--idle soon: must be a duration such as 30s/],
      [['--max', '99'], /--max must be a whole number from 1 to 20/],
    ];
    for (const [args, re] of cases) {
      const r = await d.cli(['ps:autoscale', '-a', 'zed', 'web', ...args]);
      assert.notEqual(r.exitCode, 0, args.join(' '));
      assert.match(r.stderr, re);
    }
    const worker = await d.cli(['ps:autoscale', '-a', 'zed', 'worker', '--max', '2']);
    assert.match(worker.stderr, /worker cannot autoscale: only web processes receive requests/);
    const api = await d.api('PUT', '/v1/apps/zed/autoscale/web', { min: 'zero', max: 2 });
    assert.equal(api.status, 422, api.text);
    assert.equal(api.json?.error?.code, 'E_VALIDATION');
    assert.match(api.text, /min must be a number/);
    const p = await ps();
    assert.deepEqual(p.autoscale, []);
    assert.equal(p.formation.find((f) => f.type === 'web')?.quantity, 1);
  });

  await t.test('after the idle time web is scaled to zero; ps shows it idle with no instance up', async () => {
    const set = await d.cli(['ps:autoscale', '-a', 'zed', 'web', '--min', '0', '--max', '2', '--concurrency', '10', '--idle', '10s']);
    assert.equal(set.exitCode, 0, set.stderr);
    assert.match(set.stdout, /web: up — autoscale min 0, max 2, 10 in flight per instance, to zero after 10s idle/);
    const outside = await d.cli(['ps:scale', '-a', 'zed', 'web=3']);
    assert.match(outside.stderr, /web is autoscaled between 0 and 2 instances; web=3 is outside that/);
    await waitFor(idle, { timeoutMs: 30_000, intervalMs: 500, what: 'web scaled to zero' });
    assert.match(await logs(), /Autoscale web: 1 → 0 instance\(s\): no requests for 1\d s \(idle limit 10 s\)/);
    const text = await d.cli(['ps', '-a', 'zed']);
    assert.match(text.stdout, /web: idle \(scaled to zero; the next request wakes it\)/);
  });

  await t.test('the first request wakes it and is served; the cold start is logged', async () => {
    const r = await httpGet(`${d.info.router}/first`, { host });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.body, 'hello from web.1 GET /first\n');
    const l = await logs();
    assert.match(l, /Autoscale web: 0 → 1 instance\(s\): a request arrived while it was idle/);
    assert.match(l, /Activator: woke from idle in \d+ ms \(cold start\); passing 1 held request\(s\) on/);
    assert.match(l, /web\.1: Starting process with command `node server\.cjs` \(in its parked sandbox\)/, 'the wake used the sandbox set up while idle');
    // up now, unless a busy machine made the CLI calls above outlast the 10 s idle limit (then the log says it went back to zero)
    const status = (await ps()).autoscale[0]?.status;
    if (status !== 'up') assert.match(await logs(), /woke from idle[\s\S]*Autoscale web: 1 → 0 instance\(s\): no requests for/, `status ${status}`);
  });

  await t.test('20 concurrent requests during a wake all succeed', async () => {
    const down = await d.cli(['ps:scale', '-a', 'zed', 'web=0']);
    assert.equal(down.exitCode, 0, down.stderr);
    await waitFor(idle, { timeoutMs: 15_000, intervalMs: 200, what: 'idle again' });
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => httpGet(`${d.info.router}/c${i}`, { host })));
    assert.deepEqual(replies.map((r) => r.status), Array(20).fill(200));
    assert.deepEqual(replies.map((r) => r.body), Array.from({ length: 20 }, (_, i) => `hello from web.1 GET /c${i}\n`));
    assert.match(await logs(), /woke from idle in \d+ ms \(cold start\); passing ([2-9]|1\d|20) held request\(s\) on/);
  });

  await t.test('a wake that crashes answers 503, logs why, and backs off like any crash; it serves again once it can start', async () => {
    // the post-release guard would roll the config change back after three crashes: this test is about the wake alone
    assert.equal((await d.cli(['apps:settings:set', '-a', 'zed', 'guard-window=0'])).exitCode, 0);
    const set = await d.cli(['config:set', '-a', 'zed', `CONTROL_URL=http://127.0.0.1:${(control.address() as AddressInfo).port}/`]);
    assert.equal(set.exitCode, 0, set.stderr);
    await d.cli(['ps:scale', '-a', 'zed', 'web=0']);
    await waitFor(idle, { timeoutMs: 15_000, intervalMs: 200, what: 'idle before the crash' });
    answer = 'crash';
    const r = await httpGet(`${d.info.router}/doomed`, { host });
    assert.equal(r.status, 503);
    assert.doesNotMatch(r.body, /control says crash/, 'the app output stays in the logs');
    await waitFor(async () => /Activator: the wake failed: web\.1 exited with status 1 \(last output: control says crash: exiting on start\); answered 1 held request\(s\) with 503/.test(await logs()), {
      timeoutMs: 5000,
      what: 'the failed wake in the logs',
    });
    await waitFor(async () => /web\.1: Crashed [2-9] times in a row; restarting in \d+ s/.test(await logs()), { timeoutMs: 10_000, what: 'crash backoff' });
    answer = 'ok';
    await waitFor(async () => (await httpGet(`${d.info.router}/again`, { host })).status === 200, { timeoutMs: 20_000, intervalMs: 500, what: 'served again after the backoff' });
  });

  await t.test('a deploy to an idle app starts and checks one instance of the new release', async () => {
    await d.cli(['ps:scale', '-a', 'zed', 'web=0']);
    await waitFor(idle, { timeoutMs: 15_000, intervalMs: 200, what: 'idle before the deploy' });
    const set = await d.cli(['config:set', '-a', 'zed', 'GREETING=hi']);
    assert.equal(set.exitCode, 0, set.stderr);
    const p = await ps();
    assert.equal(p.autoscale[0]?.status, 'up');
    assert.equal(p.formation.find((f) => f.type === 'web')?.quantity, 1);
    assert.match(await logs(), /Autoscale web: 0 → 1 instance\(s\) for the deploy, so the new release is checked/);
  });

  await t.test('a failed deploy to an idle app leaves it at zero on its old release, and it still wakes', async () => {
    await d.cli(['ps:scale', '-a', 'zed', 'web=0']);
    await waitFor(idle, { timeoutMs: 15_000, intervalMs: 200, what: 'idle before the failing deploy' });
    answer = 'crash';
    const bad = await d.cli(['config:set', '-a', 'zed', 'GREETING=broken']);
    assert.notEqual(bad.exitCode, 0, 'the deploy failed');
    assert.match(bad.stderr, /exited with status 1/);
    answer = 'ok';
    await waitFor(idle, { timeoutMs: 15_000, intervalMs: 200, what: 'back at zero after the failed deploy' });
    const r = await httpGet(`${d.info.router}/after-failed-deploy`, { host });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.body, 'hello from web.1 GET /after-failed-deploy\n');
  });

  await t.test('after a kill -9 of the server an idle app stays idle and still wakes', async () => {
    await d.cli(['ps:scale', '-a', 'zed', 'web=0']);
    await waitFor(idle, { timeoutMs: 15_000, intervalMs: 200, what: 'idle before the restart' });
    await d.stop('SIGKILL');
    await d.boot();
    await waitFor(idle, { timeoutMs: 15_000, intervalMs: 200, what: 'idle after the restart' });
    const r = await httpGet(`${d.info.router}/after-restart`, { host: `zed.localhost:${new URL(d.info.router).port}` });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.body, 'hello from web.1 GET /after-restart\n');
  });

  await t.test('--off on an idle app gives it one instance, then the rule is gone', async () => {
    await d.cli(['ps:scale', '-a', 'zed', 'web=0']);
    await waitFor(idle, { timeoutMs: 15_000, intervalMs: 200, what: 'idle before --off' });
    const off = await d.cli(['ps:autoscale', '-a', 'zed', 'web', '--off']);
    assert.equal(off.exitCode, 0, off.stderr);
    assert.match(off.stdout, /web: not autoscaled \(formation web=1\)/);
    const p = await ps();
    assert.deepEqual(p.autoscale, []);
    assert.ok(p.instances.some((i) => i.name === 'web.1' && i.state === 'up'));
    const again = await d.cli(['ps:autoscale', '-a', 'zed', 'web', '--off']);
    assert.match(again.stderr, /web of zed is not autoscaled/);
  });
});
