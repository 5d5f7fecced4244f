import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { linesBackward } from './read-back.js';

function fileWith(t: TestContext, text: string): number {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-logs-'));
  const file = path.join(dir, 'f');
  writeFileSync(file, text);
  const fd = openSync(file, 'r');
  t.after(() => {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });
  return fd;
}

async function collect(fd: number, size: number, chunk: number): Promise<string[]> {
  const out: string[] = [];
  for await (const l of linesBackward(fd, size, chunk)) out.push(l);
  return out;
}

test('linesBackward: last line first, across chunk edges, multi-byte characters intact', async (t) => {
  const text = 'one\ntwo\n\nthree is longer than a chunk\nnaïve café ☕\nlast\n';
  const fd = fileWith(t, text);
  const size = Buffer.byteLength(text);
  const want = ['last', 'naïve café ☕', 'three is longer than a chunk', 'two', 'one'];
  for (const chunk of [1, 2, 3, 5, 7, 64 * 1024]) assert.deepEqual(await collect(fd, size, chunk), want, `chunk ${chunk}`);
});

test('linesBackward: a torn final piece is yielded; bytes past size are not read', async (t) => {
  const text = 'a\nb\ntorn';
  const fd = fileWith(t, text);
  assert.deepEqual(await collect(fd, text.length, 3), ['torn', 'b', 'a']);
  assert.deepEqual(await collect(fd, 4, 3), ['b', 'a'], 'stops at the snapshot size');
  assert.deepEqual(await collect(fd, 0, 3), []);
});
