import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crashExcerpt } from './crash-output.js';

const numbered = (n: number, at: Record<number, string> = {}): string[] => Array.from({ length: n }, (_, i) => at[i] ?? `line ${i}`);

test('crashExcerpt: short output is kept whole, npm notices removed', () => {
  const out = ['> app@1.0.0 start', '> node index.js', '/app/index.js:3', "throw new Error('boom')", 'npm notice New major version of npm available! 10.8.2 -> 11.6.0', 'npm notice To update run: npm install -g npm@11.6.0'];
  assert.deepEqual(crashExcerpt(out), out.slice(0, 4));
});

test('crashExcerpt: long output keeps the first error-looking line and the end, 60 lines in all', () => {
  const out = numbered(200, { 5: 'Error: connect ECONNREFUSED 127.0.0.1:5432', 150: 'Error: again' });
  const got = crashExcerpt(out);
  assert.equal(got.length, 60);
  assert.equal(got[0], 'Error: connect ECONNREFUSED 127.0.0.1:5432');
  assert.equal(got[1], '… 141 lines not shown');
  assert.equal(got[2], 'line 142');
  assert.equal(got.at(-1), 'line 199');
});

test('crashExcerpt: with no error-looking line, or one near the end, it keeps the end', () => {
  const plain = crashExcerpt(numbered(100));
  assert.deepEqual([plain.length, plain[0], plain[1], plain.at(-1)], [60, '… 41 earlier lines not shown', 'line 41', 'line 99']);
  const late = crashExcerpt(numbered(100, { 95: 'TypeError: x is not a function' }));
  assert.equal(late[0], '… 41 earlier lines not shown');
  assert.ok(late.includes('TypeError: x is not a function'));
});
