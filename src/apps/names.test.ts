import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlipwayError } from '../lib/index.js';
import { generateAppName, parseAppName } from './index.js';

test('valid app names pass unchanged', () => {
  for (const n of ['hello', 'a1b', 'my-app-2', 'x'.repeat(30)]) assert.equal(parseAppName(n), n);
});

test('invalid app names are refused with the rule in the message', () => {
  const bad = ['Hello', 'ab', 'a..b', 'a/b', 'a;b', 'my app', 'héllo', 'x'.repeat(200), '1abc', 'abc-', '-abc', '', 'a_b', '../etc', 'a\nb'];
  for (const n of bad) {
    assert.throws(() => parseAppName(n), (e: unknown) => {
      assert.ok(e instanceof SlipwayError);
      assert.equal(e.code, 'E_APP_NAME_INVALID', n);
      assert.match(e.message, /lowercase letters, digits and dashes/);
      return true;
    });
  }
  assert.throws(() => parseAppName(42), /must be a string/);
});

test('a 200-character name is shortened in the message', () => {
  assert.throws(() => parseAppName('y'.repeat(200)), (e: Error) => e.message.length < 250);
});

test('reserved names are refused', () => {
  for (const n of ['api', 'git', 'www']) {
    assert.throws(() => parseAppName(n), (e: unknown) => e instanceof SlipwayError && e.code === 'E_APP_NAME_RESERVED');
  }
});

test('generated names follow the rule', () => {
  for (let i = 0; i < 50; i++) assert.equal(parseAppName(generateAppName()).length > 0, true);
});
