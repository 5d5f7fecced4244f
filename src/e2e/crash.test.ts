import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { waitFor } from '../lib/index.js';
import { Daemon } from '../testkit/index.js';

test('SIGKILL at any moment loses no acknowledged change', async (t) => {
  const d = await Daemon.start(t);
  await d.api('POST', '/v1/apps', { name: 'durable' });
  const token = d.token;
  let acked = 0;
  for (let round = 0; round < 3; round++) {
    let stop = false;
    const writer = (async () => {
      while (!stop) {
        const n = acked + 1;
        try {
          const r = await d.api('PATCH', '/v1/apps/durable/config', { N: String(n), [`K${n}`]: 'v' });
          if (r.status === 200) acked = n;
        } catch {
          return; // the server died mid-request: that change was not acknowledged
        }
      }
    })();
    // at least two acknowledged changes per round (a busy machine makes each slow), then a kill at a varying moment
    const before = acked;
    await waitFor(() => acked >= before + 2, { timeoutMs: 60_000, what: 'two acknowledged changes' });
    await new Promise((r) => setTimeout(r, 50 + round * 100));
    await d.stop('SIGKILL');
    stop = true;
    await writer;
    await d.boot();
    assert.equal(d.token, token, 'the admin token survives restarts');
    const config = (await d.api('GET', '/v1/apps/durable/config')).json as Record<string, string>;
    const n = Number(config.N);
    assert.ok(n >= acked && n <= acked + 1, `config has change ${n}, acknowledged ${acked}`);
    for (let i = 1; i <= acked; i++) assert.equal(config[`K${i}`], 'v', `acknowledged change ${i} is kept`);
    acked = n;
    const rels = (await d.api('GET', '/v1/apps/durable/releases')).json as { version: number; status: string }[];
    assert.equal(rels.filter((r) => r.status === 'succeeded').length, n + 1, 'v1 and one release per change that took effect');
    assert.ok(rels.every((r) => r.status === 'succeeded' || r.status === 'failed'), 'a change cut off mid-restart is marked failed, never left pending');
  }
  assert.ok(acked > 3, `some changes were made (${acked})`);
  const info = JSON.parse(readFileSync(path.join(d.home, 'server.json'), 'utf8')) as { pid: number };
  assert.equal(info.pid, d.child?.pid, 'server.json is rewritten by the restarted server');
});
