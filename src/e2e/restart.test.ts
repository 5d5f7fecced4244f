import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { PsJson } from '../api/schemas.js';
import { run, waitFor } from '../lib/index.js';
import { commitAll, Daemon, httpGet } from '../testkit/index.js';

/** Whether anything listens on PORT; an instance without a port is a test error, never "not listening". */
const listening = async (port: number | undefined): Promise<boolean> => {
  assert.ok(port !== undefined && port > 0, `an instance port to check (got ${port})`);
  return (await run(['ss', '-ltnH', `sport = :${port}`])).stdout.trim() !== '';
};

test('kill -9 of the daemon, even mid-deploy: apps serve again, nothing is orphaned, the cut deploy is rolled back', async (t) => {
  const d = await Daemon.start(t);
  const dir = await d.appFromFixture(t, 'phoenix', 'web-worker');
  assert.equal((await d.cli(['ps:scale', '-a', 'phoenix', 'web=2'])).exitCode, 0);
  const before = ((await d.api('GET', '/v1/apps/phoenix/ps')).json as PsJson).instances;
  assert.deepEqual(await Promise.all(before.filter((i) => i.type === 'web').map((i) => listening(i.port))), [true, true], 'both web instances listen before the kill');

  // a deploy whose readiness check waits, so the daemon dies in the middle of it
  writeFileSync(path.join(dir, 'app.json'), JSON.stringify({ healthchecks: { web: [{ type: 'readiness', path: '/', initialDelay: 20 }] } }));
  await commitAll(dir, 'slow checks');
  const push = d.git(['push', 'slipway', 'main'], dir);
  await waitFor(async () => ((await d.api('GET', '/v1/apps/phoenix/ps')).json as PsJson).instances.some((i) => i.release === 'v3'), { timeoutMs: 20_000, what: 'the v3 deploy to start' });
  await d.stop('SIGKILL');
  assert.notEqual((await push).exitCode, 0, 'the cut push is not reported as a success');
  const webPorts = before.filter((i) => i.type === 'web').map((i) => i.port);
  await waitFor(async () => (await Promise.all(webPorts.map(listening))).every((l) => !l), { timeoutMs: 10_000, what: 'the instances to die with the daemon' });

  await d.boot();
  const host = `phoenix.localhost:${new URL(d.info.router).port}`;
  const served = await waitFor(async () => {
    const r = await httpGet(`${d.info.router}/`, { host });
    return r.status === 200 ? r.body : undefined;
  }, { timeoutMs: 30_000, what: 'the app to serve again' });
  assert.equal(served.replace(/web\.\d/, 'web.N'), 'hello from web.N of v2\n', 'the last good release runs again');
  const after = ((await d.api('GET', '/v1/apps/phoenix/ps')).json as PsJson).instances;
  assert.deepEqual(after.map((i) => `${i.name} ${i.state} ${i.release}`), ['web.1 up v2', 'web.2 up v2'], 'same formation, no duplicates');
  const rels = (await d.api('GET', '/v1/apps/phoenix/releases')).json as { name: string; status: string }[];
  assert.deepEqual(rels.slice(0, 2).map((r) => `${r.name} ${r.status}`), ['v3 failed', 'v2 succeeded']);
  const logs = (await d.cli(['logs', '-a', 'phoenix', '--source', 'platform', '-n', '100'])).stdout;
  assert.match(logs, /Deploy of v3 was interrupted by a server restart; rolled back to v2/);

  assert.equal(await d.stop('SIGTERM'), 0, 'a clean stop');
  for (const i of after.filter((x) => x.type === 'web')) assert.equal(await listening(i.port), false, `${i.name} stopped with the server`);
});
