import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlipwayError } from '../lib/index.js';
import { applyConfigPatch, describeConfigChange, parseConfigPatch, MAX_VALUE_BYTES } from './index.js';

const code = (c: string) => (e: unknown) => e instanceof SlipwayError && e.code === c;

test('a patch of strings and nulls parses', () => {
  assert.deepEqual(parseConfigPatch({ A: '1', _b: 'two words', C: null }), { A: '1', _b: 'two words', C: null });
});

test('bad keys are refused', () => {
  for (const k of ['1A', 'A-B', 'A B', '', 'É', 'A=B']) assert.throws(() => parseConfigPatch({ [k]: 'x' }), code('E_CONFIG_KEY_INVALID'), k);
  assert.throws(() => parseConfigPatch({ PORT: '1' }), /set by the platform/);
  assert.throws(() => parseConfigPatch({ SLIPWAY_APP: '1' }), /set by the platform/);
});

test('a 10 KB key is refused with the rule; 256 characters is the limit', () => {
  assert.throws(() => parseConfigPatch({ ['K'.repeat(10 * 1024)]: 'x' }), (e: unknown) => code('E_CONFIG_KEY_INVALID')(e) && /is 10240 characters; the limit is 256 \(rule: \[A-Za-z_\]\[A-Za-z0-9_\]\{0,255\}\)/.test((e as Error).message));
  assert.doesNotThrow(() => parseConfigPatch({ ['K'.repeat(256)]: 'x' }));
  assert.throws(() => parseConfigPatch({ ['K'.repeat(257)]: 'x' }), code('E_CONFIG_KEY_INVALID'));
});

test('bad values are refused without echoing the value', () => {
  const secret = 's3cr3t-' + 'v'.repeat(MAX_VALUE_BYTES);
  assert.throws(() => parseConfigPatch({ K: secret }), (e: unknown) => code('E_CONFIG_TOO_LARGE')(e) && !(e as Error).message.includes('s3cr3t'));
  assert.throws(() => parseConfigPatch({ K: 5 }), code('E_VALIDATION'));
  assert.throws(() => parseConfigPatch({ K: 'a\ud800b' }), /not valid UTF-8/);
  assert.throws(() => parseConfigPatch({ K: 'a\0b' }), /NUL/);
  assert.throws(() => parseConfigPatch({}), /no config vars/);
  assert.throws(() => parseConfigPatch([]), code('E_VALIDATION'));
});

test('a value of exactly 32 KiB in multibyte characters counts bytes', () => {
  assert.doesNotThrow(() => parseConfigPatch({ K: 'x'.repeat(MAX_VALUE_BYTES) }));
  assert.throws(() => parseConfigPatch({ K: 'é'.repeat(MAX_VALUE_BYTES / 2 + 1) }), code('E_CONFIG_TOO_LARGE'));
});

test('the per-app total is enforced on the result', () => {
  const big = 'x'.repeat(30_000);
  const cur = applyConfigPatch({}, { A: big, B: big });
  assert.throws(() => applyConfigPatch(cur, { C: big }), (e: unknown) => code('E_CONFIG_TOO_LARGE')(e) && /per app/.test((e as Error).message));
  assert.deepEqual(Object.keys(applyConfigPatch(cur, { A: null, C: big })).sort(), ['B', 'C']);
});

test('release descriptions read like Heroku', () => {
  assert.equal(describeConfigChange({}, { A: '1', B: '2' }), 'Set A, B config vars');
  assert.equal(describeConfigChange({ A: '1' }, { A: null }), 'Remove A config vars');
  assert.equal(describeConfigChange({ A: '1' }, { B: '1', A: null }), 'Set B and remove A config vars');
});
