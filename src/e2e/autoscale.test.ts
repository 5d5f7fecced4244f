// Autoscaling end to end: a bounded load through the real router makes the
// autoscaler add instances (within max), and it removes them after a stable
// window once the load stops; no request fails meanwhile.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '../lib/index.js';
import { Daemon, httpGet } from '../testkit/index.js';

test('autoscale: out under a bounded load, back in after it, every decision logged with its figures', async (t) => {
  const d = await Daemon.start(t, { args: ['--autoscale-tick', '250'] });
  await d.appFromFixture(t, 'busy', 'scale-zero');
  const host = `busy.localhost:${new URL(d.info.router).port}`;
  const web = async (): Promise<{ quantity: number; up: number }> => {
    const ps = JSON.parse((await d.cli(['ps', '-a', 'busy', '--json'])).stdout) as { formation: { type: string; quantity: number }[]; instances: { type: string; state: string }[] };
    return { quantity: ps.formation.find((f) => f.type === 'web')?.quantity ?? -1, up: ps.instances.filter((i) => i.type === 'web' && i.state === 'up').length };
  };
  const set = await d.cli(['ps:autoscale', '-a', 'busy', 'web', '--min', '1', '--max', '3', '--concurrency', '2', '--window', '5s']);
  assert.equal(set.exitCode, 0, set.stderr);

  // 8 clients, each one request at a time, each request in flight 300 ms: ~8 in flight, target 2 per instance
  let loading = true;
  const statuses = new Map<number, number>();
  const client = async (): Promise<void> => {
    while (loading) {
      const r = await httpGet(`${d.info.router}/slow?ms=300`, { host });
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    }
  };
  const clients = Array.from({ length: 8 }, client);
  try {
    // generous: on a busy machine the clients, the CLI and the instances all share two cores
    await waitFor(async () => (await web()).up === 3, { timeoutMs: 90_000, intervalMs: 250, what: 'three web instances up under load' });
  } finally {
    loading = false;
    await Promise.all(clients);
  }
  assert.deepEqual([...statuses.keys()], [200], `every request under load succeeded: ${JSON.stringify([...statuses])}`);
  const logs = async (): Promise<string> => (await d.cli(['logs', '-a', 'busy', '-n', '2000', '--source', 'platform'])).stdout;
  const outLog = await logs();
  assert.match(outLog, /Autoscale web: 1 → [23] instance\(s\): [\d.]+ requests in flight on average over 3 s = [\d.]+ per instance, above the target of 2 \([\d.]+ req\/s\)/);
  // from the log, not from ps: once the load stops it may already be scaling in (a busy machine makes the CLI slow)
  assert.doesNotMatch(outLog, /Autoscale web: \d+ → ([4-9]|\d{2,}) instance/, 'never past max');

  await waitFor(async () => (await web()).quantity === 1, { timeoutMs: 30_000, intervalMs: 500, what: 'back to one instance after the load' });
  assert.match(await logs(), /Autoscale web: [23] → 1 instance\(s\): [\d.]+ requests in flight on average over the last 5 s = [\d.]+ per instance, below the target of 2/);
  await waitFor(async () => (await web()).up === 1, { timeoutMs: 15_000, what: 'the extra instances stopped' });
  const after = await httpGet(`${d.info.router}/`, { host });
  assert.equal(after.status, 200);
});
