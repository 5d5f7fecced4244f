import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '../lib/index.js';
import { Daemon, httpGet } from '../testkit/index.js';

test('a bare handler file deploys as a function (scale to zero by default) and answers through the router; a throwing handler gives 500 and logs the stack', async (t) => {
  const d = await Daemon.start(t);
  const dir = await d.appFromFixture(t, 'fnapp', 'function-hello', { push: false });
  const push = await d.git(['push', 'slipway', 'main'], dir);
  assert.equal(push.exitCode, 0, push.stderr);
  assert.match(push.stderr, /Function app detected/);
  const host = `fnapp.localhost:${new URL(d.info.router).port}`;
  const ok = await httpGet(`${d.info.router}/hello`, { host });
  assert.equal(ok.status, 200);
  assert.equal(ok.body, 'hello from a function GET /hello\n');
  // functions scale to zero by default (the user's own rule, or --off, is kept on later deploys)
  const ps = JSON.parse((await d.cli(['ps', '-a', 'fnapp', '--json'])).stdout) as { autoscale: { type: string; min: number; max: number; idle_seconds: number; status: string }[] };
  assert.deepEqual(ps.autoscale.map((a) => [a.type, a.min, a.max, a.idle_seconds, a.status]), [['web', 0, 4, 300, 'up']]);
  const boom = await httpGet(`${d.info.router}/boom`, { host });
  assert.equal(boom.status, 500);
  assert.doesNotMatch(boom.body, /kaboom/);
  await waitFor(async () => /app\[web\.1\]: function error on GET \/boom: Error: kaboom from the handler/.test((await d.cli(['logs', '-a', 'fnapp', '-n', '100'])).stdout), { timeoutMs: 5000, what: 'the stack in the logs' });
});
