// Metrics end to end: requests through the real router are counted, a real instance's memory is sampled.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '../lib/index.js';
import { Daemon, httpGet } from '../testkit/index.js';

test('metrics: router requests and instance memory reach /metrics and the app series; /metrics needs a token', async (t) => {
  const d = await Daemon.start(t, { args: ['--metrics-interval', '200'] });
  await d.appFromFixture(t, 'meter', 'procfile-only');
  const url = `${d.info.router}/`;
  const host = `meter.localhost:${new URL(d.info.router).port}`;
  for (let i = 0; i < 20; i++) assert.equal((await httpGet(url, { host })).status, 200);
  assert.equal((await httpGet(`${d.info.router}/nope`, { host: 'other.localhost' })).status, 404);

  const text = await waitFor(
    async () => {
      const r = await d.api('GET', '/metrics');
      const n = Number(/^slipway_http_requests_total\{app="meter",code="2xx"\} (\d+)$/m.exec(r.text)?.[1] ?? 0);
      return n >= 20 && /slipway_memory_bytes\{app="meter",type="web"\} [1-9]/.test(r.text) ? r.text : undefined;
    },
    { timeoutMs: 30_000, what: '20 requests and memory in /metrics' },
  );
  assert.match(text, /^slipway_instances\{app="meter",type="web",state="up"\} 1$/m);
  assert.match(text, /^slipway_deploys_total\{app="meter"\} 1$/m);
  assert.match(text, /^slipway_router_reloads_total \d+$/m);

  const series = await waitFor(
    async () => {
      const s = (await d.api('GET', '/v1/apps/meter/metrics?range=1h')).json;
      const total = (s.rps as (number | null)[]).reduce<number>((a, v) => a + (v ?? 0) * 10, 0);
      return total >= 20 ? s : undefined;
    },
    { timeoutMs: 30_000, what: 'the requests in the 1h series' },
  );
  assert.ok((series.memoryMb.web as (number | null)[]).some((v) => v !== null && v > 1), 'a Node app uses more than 1 MB');
  assert.equal(series.deploys.length, 1);
  const sum = (await d.api('GET', '/v1/metrics/summary')).json;
  assert.equal(sum.apps[0].app, 'meter');
  assert.equal(sum.apps[0].state, 'running');

  const anon = await d.api('GET', '/metrics', undefined, null);
  assert.equal(anon.status, 401);
  const bad = await d.api('GET', '/v1/apps/meter/metrics?range=2y');
  assert.equal(bad.status, 422, bad.text);
  assert.match(bad.text, /range: .*1h/);
});
