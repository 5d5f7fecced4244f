import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Daemon, httpGet } from '../testkit/index.js';

test("Heroku's Node getting-started shape deploys unchanged: unknown app.json keys are one warning each", async (t) => {
  const d = await Daemon.start(t);
  const dir = await d.appFromFixture(t, 'getting-started', 'node-getting-started', { push: false });
  const push = await d.git(['push', 'slipway', 'main'], dir);
  assert.equal(push.exitCode, 0, push.stderr);
  const warnings = push.stderr.split('\n').filter((l) => l.includes('is not used by Slipway'));
  assert.deepEqual(warnings.map((l) => l.replace(/^remote: +/, '').trim()), ['!     warning: app.json: "image" is not used by Slipway']);
  assert.match(push.stderr, /Launching\.\.\. done, v2/);
  const res = await httpGet(d.info.router, { host: `getting-started.${d.info.domain}` });
  assert.match(res.body, /^getting started on v\d+\./);
});
