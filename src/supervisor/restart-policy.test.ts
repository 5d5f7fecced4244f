import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BACKOFF_CAP_MS, nextRestart, STABLE_MS } from './restart-policy.js';

test('restart policy: at once, then 1 s, 2 s, 4 s … capped at 2 min; a crash after a stable run starts over', () => {
  let state = { consecutive: 0, upAt: 0 };
  const delays: number[] = [];
  for (let i = 0; i < 10; i++) {
    const next = nextRestart(state, 1_000_000);
    delays.push(next.delayMs);
    state = { consecutive: next.consecutive, upAt: 0 }; // never came up
  }
  assert.deepEqual(delays, [0, 1000, 2000, 4000, 8000, 16000, 32000, 64000, BACKOFF_CAP_MS, BACKOFF_CAP_MS]);
  const now = 5_000_000;
  assert.deepEqual(nextRestart({ consecutive: 7, upAt: now - STABLE_MS - 1 }, now), { consecutive: 1, delayMs: 0 }, 'up long enough: starts over');
  assert.deepEqual(nextRestart({ consecutive: 3, upAt: now - 1000 }, now), { consecutive: 4, delayMs: 4000 }, 'up only briefly: keeps counting');
});
