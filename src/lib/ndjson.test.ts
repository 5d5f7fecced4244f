import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readNdjson } from './ndjson.js';

async function* chunks(...parts: (string | Uint8Array)[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield typeof p === 'string' ? new TextEncoder().encode(p) : p;
}

async function all(body: AsyncIterable<Uint8Array>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const v of readNdjson(body)) out.push(v);
  return out;
}

test('readNdjson: values split across chunks, empty lines skipped, last line without newline', async () => {
  assert.deepEqual(await all(chunks('{"a":', '1}\n\n{"b"', ':2}\n{"c":3}')), [{ a: 1 }, { b: 2 }, { c: 3 }]);
});

test('readNdjson: a multi-byte character split between chunks stays whole', async () => {
  const bytes = new TextEncoder().encode('{"log":"é"}\n');
  assert.deepEqual(await all(chunks(bytes.slice(0, 9), bytes.slice(9))), [{ log: 'é' }]);
});

test('readNdjson: a line that is not JSON throws with the line', async () => {
  await assert.rejects(all(chunks('{"a":1}\n<html>\n')), /not a JSON line: <html>/);
});
