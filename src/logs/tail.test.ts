import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { LogEntry } from './entry.js';
import { LogStore, type LogStoreOptions } from './store.js';

function open(t: TestContext, opts: LogStoreOptions = {}): { store: LogStore; root: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'slipway-logs-'));
  const store = new LogStore(root, { onError: (err) => assert.fail(`unexpected log error: ${err.message}`), ...opts });
  t.after(async () => {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });
  return { store, root };
}

const seqOf = (e: LogEntry): number => Number(e.line.split(' ')[0]);
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Appends numbered lines in bursts on every event-loop turn until stopped, alternating web.1 and web.2. */
function appender(store: LogStore, app: string, start: number, burst = 40): { next: () => number; stop: () => Promise<void> } {
  let seq = start;
  let running = true;
  const done = (async () => {
    while (running) {
      for (let i = 0; i < burst; i++, seq++) store.append(app, { source: 'app', ps: `web.${(seq % 2) + 1}`, release: 'v1', line: `${seq} ${'p'.repeat(60)}` });
      await tick();
    }
  })();
  return {
    next: () => seq,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

test('tail: history then live, no gap and no duplicate while appends and rotations race the read', async (t) => {
  // A small cap and big bursts, so the current file is rotated away while history is still being read from it.
  const { store, root } = open(t, { maxBytesPerApp: 256 * 1024 });
  const current = path.join(root, 'busy', 'stream.log');
  for (let i = 0; i < 6000; i++) store.append('busy', { source: 'app', ps: `web.${(i % 2) + 1}`, line: `${i} ${'p'.repeat(60)}` });
  const writer = appender(store, 'busy', 6000, 400);
  for (let i = 0; i < 5; i++) await tick();
  const got: number[] = [];
  const before = writer.next();
  const inodeBefore = statSync(current).ino;
  const stop = await store.tail('busy', { lines: 1_000_000 }, (e) => got.push(seqOf(e)));
  const after = writer.next();
  const rotatedDuringRead = statSync(current).ino !== inodeBefore;
  for (let i = 0; i < 20; i++) await tick();
  await writer.stop();
  stop();
  const last = writer.next() - 1;
  assert.ok(after > before, `appends raced the history read (${before} → ${after})`);
  assert.equal(got[got.length - 1], last, 'the last appended line arrived');
  const first = got[0] ?? -1;
  assert.deepEqual(got, Array.from({ length: last - first + 1 }, (_, i) => first + i), 'contiguous: no gap, no duplicate');
  assert.ok(first > 0, 'the oldest lines were rotated away');
  t.diagnostic(`history from ${first}, ${got.length} entries, ${after - before} appended during the read, rotated during it: ${rotatedDuringRead}`);
});

test('tail with a filter and a small n: exactly n of history, then only matching live lines', async (t) => {
  const { store } = open(t);
  for (let i = 0; i < 1000; i++) store.append('busy', { source: 'app', ps: `web.${(i % 2) + 1}`, line: `${i} x` });
  const writer = appender(store, 'busy', 1000);
  const got: LogEntry[] = [];
  const before = writer.next(); // even: the newest web.2 (odd) line before the tail is before - 1
  const stop = await store.tail('busy', { lines: 100, filter: { ps: 'web.2' } }, (e) => got.push(e));
  for (let i = 0; i < 10; i++) await tick();
  await writer.stop();
  stop();
  store.append('busy', { source: 'app', ps: 'web.2', line: '999999 after unsubscribe' });
  const seqs = got.map(seqOf);
  assert.ok(got.every((e) => e.ps === 'web.2'));
  assert.ok(seqs.length > 100, 'live lines followed the history');
  const first = before - 1 - 2 * 99;
  assert.deepEqual(seqs.slice(0, 100), Array.from({ length: 100 }, (_, i) => first + 2 * i), 'history: the last 100 web.2 lines before the tail');
  assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => first + 2 * i), 'every web.2 line, once');
  assert.ok(!seqs.includes(999999));
});

test('100k short lines: appended quickly and all readable', async (t) => {
  const { store } = open(t);
  const n = 100_000;
  const started = performance.now();
  for (let i = 0; i < n; i++) store.append('loud', { source: 'app', ps: 'web.1', release: 'v7', line: `request ${i} done` });
  const appendMs = performance.now() - started;
  await store.close();
  const readStarted = performance.now();
  const all = await store.read('loud', { lines: n });
  t.diagnostic(`append ${n} lines: ${appendMs.toFixed(0)} ms; read them back: ${(performance.now() - readStarted).toFixed(0)} ms`);
  assert.equal(all.length, n);
  assert.equal(all[0]?.line, 'request 0 done');
  assert.equal(all[n - 1]?.line, `request ${n - 1} done`);
  assert.ok(all.every((e, i) => e.line === `request ${i} done` && e.release === 'v7'));
});

/** fds of this process open on files under root (Linux /proc). */
function openFdsUnder(root: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(root);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false; // the fd of readdir itself, gone already
      throw err;
    }
  }).length;
}

const linux = process.platform === 'linux' ? {} : { skip: 'needs /proc' };

test('fd policy: at most maxOpenApps fds, least recently written closed first; nothing lost', linux, async (t) => {
  const { store, root } = open(t, { maxOpenApps: 2 });
  const apps = ['app-a', 'app-b', 'app-c', 'app-d', 'app-e'];
  for (let round = 0; round < 3; round++) {
    for (const app of apps) {
      store.append(app, { source: 'app', ps: 'web.1', line: `${app} ${round}` });
      assert.ok(openFdsUnder(root) <= 2, 'capped');
    }
  }
  for (const app of apps) assert.deepEqual((await store.read(app, { lines: 10 })).map((e) => e.line), [0, 1, 2].map((r) => `${app} ${r}`));
});

test('fd policy: an idle app gives its fd back and reopens on the next line', linux, async (t) => {
  const { store, root } = open(t, { idleCloseMs: 30 });
  store.append('quiet', { source: 'app', ps: 'web.1', line: 'one' });
  assert.equal(openFdsUnder(root), 1);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(openFdsUnder(root), 0);
  store.append('quiet', { source: 'app', ps: 'web.1', line: 'two' });
  assert.deepEqual((await store.read('quiet', { lines: 10 })).map((e) => e.line), ['one', 'two']);
});
