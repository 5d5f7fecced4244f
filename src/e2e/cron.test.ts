import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { waitFor } from '../lib/index.js';
import { commitAll, Daemon } from '../testkit/index.js';

interface CronJson {
  id: string;
  schedule: string;
  command: string;
  release: string;
  next_run: string | null;
  last_run: { exit_code: number | null } | null;
}

test('cron from app.json: runs on schedule, records results, never overlaps, follows deploys and rollbacks', async (t) => {
  // a test clock: one minute of schedule passes every second
  const d = await Daemon.start(t, { args: ['--cron-time-scale', '60'] });
  const dir = await d.appFromFixture(t, 'clocky', 'web-worker', { push: false });
  const appJson = (cron: unknown): void => writeFileSync(path.join(dir, 'app.json'), JSON.stringify({ cron }));

  appJson([{ command: 'echo "bad', schedule: '*/5 * *' }]);
  await commitAll(dir, 'bad cron');
  const bad = await d.git(['push', 'slipway', 'main'], dir);
  assert.notEqual(bad.exitCode, 0);
  assert.match(bad.stderr, /app\.json: cron\[0\]\.schedule: "\*\/5 \* \*" is not a valid cron expression/);

  appJson([{ id: 'tick', command: 'echo "tick of $SLIPWAY_RELEASE"; sleep 2.5', schedule: '* * * * *' }]);
  await commitAll(dir, 'cron');
  assert.equal((await d.git(['push', 'slipway', 'main'], dir)).exitCode, 0);
  const jobs = async (): Promise<CronJson[]> => JSON.parse((await d.cli(['cron', '-a', 'clocky', '--json'])).stdout) as CronJson[];
  assert.deepEqual((await jobs()).map((j) => `${j.id} ${j.schedule} ${j.release}`), ['tick * * * * * v2']);
  await waitFor(async () => (await jobs())[0]?.last_run?.exit_code === 0, { timeoutMs: 20_000, what: 'a cron run to finish' });
  const logs = async (): Promise<string> => (await d.cli(['logs', '-a', 'clocky', '-n', '300'])).stdout;
  await waitFor(async () => /cron tick: skipped, the previous run is still going/.test(await logs()), { timeoutMs: 20_000, what: 'an overlapping tick to be skipped' });
  assert.match(await logs(), /app\[cron\.tick\]: tick of v2/);
  const runs = JSON.parse((await d.cli(['runs', '-a', 'clocky', '--json'])).stdout) as { name: string; exit_code: number | null; finished_at: string | null; started_at: string }[];
  const finished = runs.filter((r) => r.name.startsWith('cron.tick.') && r.finished_at);
  assert.ok(finished.length >= 1);
  const spans = runs.filter((r) => r.name.startsWith('cron.tick.')).map((r) => [Date.parse(r.started_at), r.finished_at ? Date.parse(r.finished_at) : Infinity] as const).sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) assert.ok((spans[i]?.[0] ?? 0) >= (spans[i - 1]?.[1] ?? 0), 'runs of one job never overlap');

  appJson([{ id: 'other', command: 'echo other', schedule: '0 0 * * *' }]);
  await commitAll(dir, 'other cron');
  assert.equal((await d.git(['push', 'slipway', 'main'], dir)).exitCode, 0);
  assert.deepEqual((await jobs()).map((j) => `${j.id} ${j.release}`), ['other v3'], 'a deploy replaces the jobs');
  assert.equal((await d.cli(['rollback', '-a', 'clocky', 'v2'])).exitCode, 0);
  assert.deepEqual((await jobs()).map((j) => `${j.id} ${j.release}`), ['tick v4'], 'a rollback restores the old set');

  const now = await d.cli(['cron:run', '-a', 'clocky', 'nope']);
  assert.equal(now.exitCode, 1);
  assert.match(now.stderr, /no cron job nope/);
});
