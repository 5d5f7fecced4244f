import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { AppJson } from '../api/schemas.js';
import { waitFor } from '../lib/index.js';
import { commitAll, Daemon, httpGet } from '../testkit/index.js';

/** The security suite (issue 20): each test drives the production path through the CLI, git and HTTP. */

const serves = (d: Daemon, app: string): Promise<string> =>
  waitFor(async () => {
    const r = await httpGet(`${d.info.router}/`, { host: `${app}.localhost:${new URL(d.info.router).port}` });
    return r.status === 200 ? r.body : undefined;
  }, { timeoutMs: 30_000, what: `${app} to serve` });

test('app.json with 10,000 cron jobs is refused at build time; a home with such a release (older version) still starts, the app is flagged, others run', async (t) => {
  const d = await Daemon.start(t);
  const dir = await d.appFromFixture(t, 'greedy', 'web-worker');
  await d.appFromFixture(t, 'bystander', 'web-worker');
  const jobs = Array.from({ length: 10_000 }, (_, i) => ({ command: `echo ${i}`, schedule: '* * * * *' }));
  writeFileSync(path.join(dir, 'app.json'), JSON.stringify({ cron: jobs }));
  await commitAll(dir, 'ten thousand jobs');
  const push = await d.git(['push', 'slipway', 'main'], dir);
  assert.notEqual(push.exitCode, 0, 'the push is refused');
  assert.match(push.stderr, /app\.json: cron: has 10000 jobs; the limit is 50 per app/);

  const longKey = await d.cli(['config:set', '-a', 'bystander', `${'K'.repeat(10 * 1024)}=x`]);
  assert.equal(longKey.exitCode, 1);
  assert.match(longKey.stderr, /is 10240 characters; the limit is 256 \(rule: \[A-Za-z_\]\[A-Za-z0-9_\]\{0,255\}\)/);

  // an older version accepted it: plant it in the current release, as that version would have stored it
  await d.stop('SIGTERM');
  const db = new Database(path.join(d.home, 'state.db'));
  const changed = db.prepare("UPDATE releases SET app_json = ? WHERE id = (SELECT r.id FROM releases r JOIN apps a ON a.id = r.app_id WHERE a.name = 'greedy' ORDER BY r.version DESC LIMIT 1)").run(JSON.stringify({ cron: jobs }));
  db.close();
  assert.equal(changed.changes, 1);

  await d.boot();
  assert.match(await serves(d, 'bystander'), /hello from web/);
  assert.match(await serves(d, 'greedy'), /hello from web/, 'the app itself still runs; only its cron is refused');
  const info = await waitFor(async () => {
    const a = (await d.api('GET', '/v1/apps/greedy')).json as AppJson;
    return a.problems.length > 0 ? a : undefined;
  }, { timeoutMs: 20_000, what: 'the start-up problem to show' });
  assert.match(info.problems[0] ?? '', /cron: the jobs of v2 are not scheduled: 10000 jobs, over the limit of 50 per app/);
  const shown = await d.cli(['apps:info', '-a', 'greedy']);
  assert.match(shown.stdout, /Problem: +cron: the jobs of v2 are not scheduled/);
  assert.deepEqual(JSON.parse((await d.cli(['cron', '-a', 'greedy', '--json'])).stdout), []);
  assert.match((await d.cli(['logs', '-a', 'greedy', '-n', '50'])).stdout, /not scheduled: 10000 jobs/);
  assert.deepEqual(((await d.api('GET', '/v1/apps/bystander')).json as AppJson).problems, []);

  // recoverable through the normal path: a fixed app.json deploys and clears the problem
  writeFileSync(path.join(dir, 'app.json'), JSON.stringify({ cron: jobs.slice(0, 2) }));
  await commitAll(dir, 'two jobs');
  assert.equal((await d.cli(['git:remote', '-a', 'greedy'], { cwd: dir })).exitCode, 0, 'the API port changed with the restart');
  const fixed = await d.git(['push', 'slipway', 'main'], dir);
  assert.equal(fixed.exitCode, 0, fixed.stderr);
  await waitFor(async () => ((await d.api('GET', '/v1/apps/greedy')).json as AppJson).problems.length === 0 || undefined, { timeoutMs: 20_000, what: 'the problem to clear' });
  assert.equal((JSON.parse((await d.cli(['cron', '-a', 'greedy', '--json'])).stdout) as unknown[]).length, 2);
});
