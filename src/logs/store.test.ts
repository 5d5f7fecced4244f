import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { BuildLog, buildLogFile } from './build-log.js';
import type { LogEntry } from './entry.js';
import { LogStore, type LogStoreOptions } from './store.js';

function tmpRoot(t: TestContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-logs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function open(t: TestContext, root: string, opts: LogStoreOptions = {}): LogStore {
  const store = new LogStore(root, { onError: (err) => assert.fail(`unexpected log error: ${err.message}`), ...opts });
  t.after(() => store.close());
  return store;
}

const lines = (es: LogEntry[]): string[] => es.map((e) => e.line);
const fileSize = (f: string): number => (existsSync(f) ? statSync(f).size : 0);

test('append then read: oldest first, the last n, all when n exceeds what is kept', async (t) => {
  const store = open(t, tmpRoot(t));
  for (let i = 0; i < 10; i++) store.append('hello', { source: 'app', ps: 'web.1', release: 'v1', line: `line ${i}` });
  assert.deepEqual(lines(await store.read('hello', { lines: 3 })), ['line 7', 'line 8', 'line 9']);
  assert.equal((await store.read('hello', { lines: 100 })).length, 10);
  assert.deepEqual(await store.read('hello', { lines: 0 }), []);
  assert.deepEqual(await store.read('never-logged', { lines: 10 }), []);
  const [last] = await store.read('hello', { lines: 1 });
  assert.equal(last?.source, 'app');
  assert.equal(last?.ps, 'web.1');
  assert.equal(last?.release, 'v1');
  assert.ok(!Number.isNaN(Date.parse(last?.time ?? '')), 'timestamped');
  store.append('hello', { source: 'platform', line: 'given time', time: '2026-01-01T00:00:00.000Z' });
  assert.deepEqual(await store.read('hello', { lines: 1 }), [{ time: '2026-01-01T00:00:00.000Z', source: 'platform', line: 'given time' }]);
  await assert.rejects(store.read('hello', { lines: -1 }), RangeError);
});

test('apps are kept apart; a multi-line append becomes one entry per line', async (t) => {
  const store = open(t, tmpRoot(t));
  store.append('one-app', { source: 'app', ps: 'web.1', line: 'first\nsecond\n' });
  store.append('two-app', { source: 'app', ps: 'web.1', line: 'other' });
  assert.deepEqual(lines(await store.read('one-app', { lines: 10 })), ['first', 'second']);
  assert.deepEqual(lines(await store.read('two-app', { lines: 10 })), ['other']);
});

test('filters: source, ps by type or instance, release', async (t) => {
  const store = open(t, tmpRoot(t));
  store.append('hello', { source: 'build', release: 'v2', line: 'b' });
  store.append('hello', { source: 'app', ps: 'web.1', release: 'v2', line: 'w1' });
  store.append('hello', { source: 'app', ps: 'web.2', release: 'v2', line: 'w2' });
  store.append('hello', { source: 'app', ps: 'worker.1', release: 'v2', line: 'k1' });
  store.append('hello', { source: 'router', release: 'v2', line: 'r' });
  store.append('hello', { source: 'platform', ps: 'web.2', release: 'v3', line: 'p' });
  store.append('hello', { source: 'app', ps: 'web.1', release: 'v3', line: 'w1b' });
  const read = async (filter: object): Promise<string[]> => lines(await store.read('hello', { lines: 100, filter }));
  assert.deepEqual(await read({ source: 'app' }), ['w1', 'w2', 'k1', 'w1b']);
  assert.deepEqual(await read({ source: 'router' }), ['r']);
  assert.deepEqual(await read({ ps: 'web' }), ['w1', 'w2', 'p', 'w1b']);
  assert.deepEqual(await read({ ps: 'web.2' }), ['w2', 'p']);
  assert.deepEqual(await read({ ps: 'web.2', source: 'app' }), ['w2']);
  assert.deepEqual(await read({ release: 'v3' }), ['p', 'w1b']);
  assert.deepEqual(await read({ source: 'build', release: 'v3' }), []);
  assert.deepEqual(lines(await store.read('hello', { lines: 2, filter: { ps: 'web' } })), ['p', 'w1b']);
});

test('read finds the last n across the rotation boundary, with and without a filter', async (t) => {
  const root = tmpRoot(t);
  const store = open(t, root, { maxBytesPerApp: 8192 });
  const n = 90; // ~100 bytes each: more than one 4 KiB half, less than two
  for (let i = 0; i < n; i++) store.append('hello', { source: i % 10 === 0 ? 'router' : 'app', ps: i % 10 === 0 ? undefined : 'web.1', line: `line ${String(i).padStart(3, '0')} ${'x'.repeat(40)}` });
  await store.close();
  assert.ok(existsSync(path.join(root, 'hello', 'stream.log.1')), 'rotated once');
  const current = readFileSync(path.join(root, 'hello', 'stream.log'), 'utf8').split('\n').length - 1;
  assert.ok(current > 0 && current < n);
  const got = lines(await store.read('hello', { lines: current + 5 }));
  assert.deepEqual(got.map((l) => Number(l.slice(5, 8))), Array.from({ length: current + 5 }, (_, i) => n - current - 5 + i));
  const routed = lines(await store.read('hello', { lines: 5, filter: { source: 'router' } }));
  assert.deepEqual(routed.map((l) => l.slice(0, 8)), ['line 040', 'line 050', 'line 060', 'line 070', 'line 080']);
});

test('the size cap holds after writing three times the cap', async (t) => {
  const root = tmpRoot(t);
  const cap = 64 * 1024;
  const store = open(t, root, { maxBytesPerApp: cap });
  const line = 'y'.repeat(150);
  let written = 0;
  for (let i = 0; written < 3 * cap; i++) {
    store.append('hello', { source: 'app', ps: 'web.1', line: `${i} ${line}` });
    written += line.length + 60;
  }
  store.append('hello', { source: 'app', ps: 'web.1', line: 'newest' });
  await store.close();
  const dir = path.join(root, 'hello');
  const total = fileSize(path.join(dir, 'stream.log')) + fileSize(path.join(dir, 'stream.log.1'));
  assert.ok(total <= cap + 300, `${total} bytes on disk for a ${cap}-byte cap`);
  assert.ok(total > cap / 2, 'the older half is still there');
  assert.deepEqual(lines(await store.read('hello', { lines: 1 })), ['newest']);
});

test('a new LogStore on the same root reads what the previous one wrote (restart)', async (t) => {
  const root = tmpRoot(t);
  const first = open(t, root);
  first.append('hello', { source: 'platform', release: 'v1', line: 'Deployed v1' });
  await first.close();
  const second = open(t, root);
  second.append('hello', { source: 'platform', release: 'v2', line: 'Deployed v2' });
  assert.deepEqual(lines(await second.read('hello', { lines: 10 })), ['Deployed v1', 'Deployed v2']);
});

test('without close, lines reach the disk within the flush interval (a crash loses ms, not more)', async (t) => {
  const root = tmpRoot(t);
  const crashed = open(t, root);
  crashed.append('hello', { source: 'app', ps: 'web.1', line: 'before the crash' });
  await new Promise((r) => setTimeout(r, 200));
  const restarted = open(t, root);
  assert.deepEqual(lines(await restarted.read('hello', { lines: 10 })), ['before the crash']);
});

test('a torn last line is skipped and the next append stays whole', async (t) => {
  const root = tmpRoot(t);
  const first = open(t, root);
  first.append('hello', { source: 'app', ps: 'web.1', line: 'whole' });
  await first.close();
  appendFileSync(path.join(root, 'hello', 'stream.log'), '{"t":"2026-11-21T23:58:38.273Z","s":"app","l":"tor');
  const second = open(t, root);
  assert.deepEqual(lines(await second.read('hello', { lines: 10 })), ['whole']);
  second.append('hello', { source: 'app', ps: 'web.1', line: 'after restart' });
  assert.deepEqual(lines(await second.read('hello', { lines: 10 })), ['whole', 'after restart']);
});

test('long lines are cut and stored so; invalid UTF-16 is replaced', async (t) => {
  const store = open(t, tmpRoot(t));
  store.append('hello', { source: 'app', ps: 'web.1', line: 'z'.repeat(50_000) });
  store.append('hello', { source: 'app', ps: 'web.1', line: 'half \udc00 pair' });
  const [long, bad] = lines(await store.read('hello', { lines: 2 }));
  assert.ok(long !== undefined && long.length < 10 * 1024 + 100 && long.endsWith('[slipway: line truncated, 50000 bytes]'));
  assert.equal(bad, 'half \ufffd pair');
});

test('removeApp deletes the stream and build logs; other apps stay', async (t) => {
  const root = tmpRoot(t);
  const store = open(t, root);
  store.append('doomed', { source: 'app', ps: 'web.1', line: 'bye' });
  store.append('keeper', { source: 'app', ps: 'web.1', line: 'stay' });
  const build = new BuildLog(buildLogFile(root, 'doomed', 'b1'));
  build.line('compiling');
  build.close();
  await store.read('doomed', { lines: 1 }); // flushed to disk before removal
  const got: LogEntry[] = [];
  store.follow('doomed', undefined, (e) => got.push(e));
  store.removeApp('doomed');
  assert.ok(!existsSync(path.join(root, 'doomed')));
  assert.deepEqual(await store.read('doomed', { lines: 10 }), []);
  assert.deepEqual(lines(await store.read('keeper', { lines: 10 })), ['stay']);
  store.append('doomed', { source: 'platform', line: 'recreated' });
  assert.deepEqual(got, [], 'followers of the destroyed app were dropped');
  assert.deepEqual(lines(await store.read('doomed', { lines: 10 })), ['recreated']);
  assert.throws(() => store.removeApp('..'), /leaves|single path segment/);
  assert.throws(() => store.removeApp(''), /single path segment/);
  assert.ok(existsSync(root));
});

test('follow: live entries that match, until unsubscribed; a throwing follower is dropped and reported', async (t) => {
  const errors: string[] = [];
  const store = open(t, tmpRoot(t), { onError: (err, app) => errors.push(`${app}: ${err.message}`) });
  const web: string[] = [];
  const all: string[] = [];
  const stopWeb = store.follow('hello', { ps: 'web' }, (e) => web.push(e.line));
  store.follow('hello', undefined, (e) => all.push(e.line));
  store.follow('hello', undefined, () => {
    throw new Error('follower bug');
  });
  store.append('hello', { source: 'app', ps: 'web.1', line: 'a' });
  store.append('hello', { source: 'router', line: 'b' });
  stopWeb();
  store.append('hello', { source: 'app', ps: 'web.2', line: 'c' });
  store.append('other', { source: 'app', ps: 'web.1', line: 'elsewhere' });
  assert.deepEqual(web, ['a']);
  assert.deepEqual(all, ['a', 'b', 'c']);
  assert.deepEqual(errors, ['hello: follower bug']);
  assert.deepEqual(lines(await store.read('hello', { lines: 10 })), ['a', 'b', 'c'], 'the write was not affected');
});

test('a write failure is reported, never thrown at the producer', async (t) => {
  const root = tmpRoot(t);
  writeFileSync(path.join(root, 'blocked'), 'a file where the app directory should be');
  const errors: string[] = [];
  const store = open(t, root, { onError: (err, app) => errors.push(app) });
  store.append('blocked', { source: 'app', ps: 'web.1', line: 'lost' });
  store.append('fine', { source: 'app', ps: 'web.1', line: 'kept' });
  assert.deepEqual(errors, ['blocked']);
  assert.deepEqual(lines(await store.read('fine', { lines: 1 })), ['kept']);
});
