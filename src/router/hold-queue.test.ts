import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HoldQueue, type AppActivation } from './hold-queue.js';

// times start at 10 s: the queue's clock is Date.now(), never 0
const T1 = { host: '127.0.0.1', port: 5001 };
const T2 = { host: '127.0.0.1', port: 5002 };
const idle: AppActivation = { enabled: true, ready: [], state: 'idle' };
const up = (...ready: (typeof T1)[]): AppActivation => ({ enabled: true, ready, state: 'running' });

test('hold-queue: the first held request asks for a wake, later ones only wait; ready targets take them in order, round robin', () => {
  const q = new HoldQueue<string>({ maxQueue: 10, maxWaitMs: 1000 });
  q.update('a', idle, 10000);
  const first = q.admit('a', 'r1', 10100);
  assert.deepEqual([first.held, first.wake, first.events], [true, true, ['Activator: a request arrived while the app is scaled to zero; waking it']]);
  const second = q.admit('a', 'r2', 10150);
  assert.deepEqual([second.held, second.wake, second.events], [true, false, []]);
  assert.deepEqual(q.holding('a'), { held: 2, waking: true });

  const woke = q.update('a', up(T1, T2), 10400);
  assert.deepEqual(woke.go, [{ item: 'r1', target: T1 }, { item: 'r2', target: T2 }]);
  assert.deepEqual(woke.events, ['Activator: woke from idle in 300 ms (cold start); passing 2 held request(s) on']);
  assert.deepEqual(q.holding('a'), { held: 0, waking: false });
  // with a ready target a request is passed on at once, never held
  const direct = q.admit('a', 'r3', 10500);
  assert.deepEqual([direct.held, direct.go, direct.wake], [false, [{ item: 'r3', target: T1 }], false]);
});

test('hold-queue: refused when the app does not scale to zero, when the queue is full, and at the longest wait', () => {
  const q = new HoldQueue<string>({ maxQueue: 2, maxWaitMs: 1000 });
  assert.deepEqual(q.admit('off', 'x', 10000).refuse, [{ item: 'x', shown: 'the app has no web process running' }]);

  q.update('a', idle, 10000);
  q.admit('a', 'r1', 10000);
  q.admit('a', 'r2', 10010);
  const full = q.admit('a', 'r3', 10020);
  assert.equal(full.held, false);
  assert.deepEqual(full.refuse, [{ item: 'r3', shown: 'too many requests are waiting for the app to wake' }]);
  assert.match(full.events[0] ?? '', /2 request\(s\) already held .*limit 2/);

  const late = q.expire('a', 'r1', 11000);
  assert.deepEqual(late.refuse, [{ item: 'r1', shown: 'the app did not wake in time' }]);
  assert.match(late.events[0] ?? '', /waited 1 s for the app to wake \(limit 1 s\)/);
  assert.deepEqual(q.holding('a'), { held: 1, waking: true }, 'r2 still waits on the same wake');
  assert.deepEqual(q.expire('a', 'r1', 11100).refuse, [], 'already answered: nothing to do');
  q.expire('a', 'r2', 11010);
  assert.deepEqual(q.holding('a'), { held: 0, waking: false }, 'nobody left waiting: the next request asks for a new wake');
  assert.equal(q.admit('a', 'r4', 11200).wake, true);
});

test('hold-queue: a stale wake (older than the longest wait) is asked for again', () => {
  const q = new HoldQueue<string>({ maxQueue: 10, maxWaitMs: 1000 });
  q.update('a', idle, 10000);
  assert.equal(q.admit('a', 'r1', 10000).wake, true);
  assert.equal(q.admit('a', 'r2', 10500).wake, false);
  assert.equal(q.admit('a', 'r3', 11500).wake, true);
});

test('hold-queue: a client that leaves gives up its place; a crash, a failed wake, turning off, removal and stop answer 503', () => {
  const q = new HoldQueue<string>({ maxQueue: 10, maxWaitMs: 1000 });
  q.update('a', idle, 10000);
  q.admit('a', 'gone', 10000);
  q.admit('a', 'r1', 10000);
  assert.equal(q.leave('a', 'gone'), true);
  assert.equal(q.leave('a', 'gone'), false);
  const crashed = q.update('a', { enabled: true, ready: [], state: 'crashed', reason: 'exit 1' }, 10050);
  assert.deepEqual(crashed.refuse, [{ item: 'r1', shown: 'the app could not be started' }]);
  assert.deepEqual(crashed.events, ['Activator: the wake failed: exit 1; answered 1 held request(s) with 503']);

  q.update('a', idle, 10060);
  q.admit('a', 'r2', 10060);
  assert.deepEqual(q.wakeFailed('a', 'no release').events, ['Activator: the wake failed: no release; answered 1 held request(s) with 503']);
  assert.deepEqual(q.wakeFailed('a', 'again').refuse, [], 'no wake in progress');

  q.admit('a', 'r3', 10070);
  const off = q.update('a', { enabled: false, ready: [], state: 'stopped' }, 10080);
  assert.deepEqual(off.refuse, [{ item: 'r3', shown: 'the app has no web process running' }]);

  q.update('a', idle, 10090);
  q.admit('a', 'r4', 10090);
  q.update('b', idle, 10090);
  q.admit('b', 'r5', 10090);
  assert.deepEqual(q.update('a', undefined, 10095).refuse, [{ item: 'r4', shown: 'the app was removed' }]);
  const stopped = q.stopAll();
  assert.deepEqual(stopped.get('b')?.refuse, [{ item: 'r5', shown: 'the server is restarting' }]);
  assert.equal(stopped.has('a'), false, 'a removed app is forgotten');
});
