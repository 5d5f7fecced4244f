import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Daemon } from '../testkit/index.js';

// A script creating many apps at once (16 at a time) used to get 500s: every
// change reached HAProxy's master socket on its own connection and the burst
// overflowed the master's listen backlog while it reloaded (connect EAGAIN).
test('a burst of 120 concurrent app creates all succeed, each routed, none lost', async (t) => {
  const d = await Daemon.start(t);
  const headers = { authorization: `Bearer ${d.token}`, 'content-type': 'application/json' };
  const names = Array.from({ length: 120 }, (_, i) => `burst-${i}`);
  const statuses: Record<string, number> = {};
  const queue = [...names];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let name = queue.shift(); name; name = queue.shift()) {
        const r = await fetch(`${d.info.api}/v1/apps`, { method: 'POST', headers, body: JSON.stringify({ name }) });
        statuses[name] = r.status;
        if (r.status !== 201) assert.fail(`${name}: ${r.status} ${await r.text()}`);
      }
    }),
  );
  assert.equal(Object.values(statuses).filter((s) => s === 201).length, names.length);
  const list = (await (await fetch(`${d.info.api}/v1/apps`, { headers })).json()) as { name: string }[];
  assert.deepEqual(list.map((a) => a.name).sort(), [...names].sort());
});
