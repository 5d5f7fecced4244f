import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseListen, parseSettings, urlFor } from './index.js';

test('listen addresses parse', () => {
  assert.deepEqual(parseListen('127.0.0.1:7070', 'x'), { host: '127.0.0.1', port: 7070 });
  assert.deepEqual(parseListen('[::1]:0', 'x'), { host: '::1', port: 0 });
  assert.deepEqual(parseListen(':8080', 'x'), { host: '0.0.0.0', port: 8080 });
  for (const bad of ['7070', 'host', '1.2.3.4:99999', 'a:b:c', '']) assert.throws(() => parseListen(bad, '--api-listen'), /--api-listen/);
});

test('flags win over environment, environment over defaults', () => {
  const s = parseSettings({ domain: 'apps.example.com' }, { SLIPWAY_DOMAIN: 'ignored.test', SLIPWAY_API_LISTEN: '127.0.0.1:0', SLIPWAY_HOME: '/tmp/x' });
  assert.equal(s.domain, 'apps.example.com');
  assert.deepEqual(s.apiListen, { host: '127.0.0.1', port: 0 });
  assert.deepEqual(s.routerListen, { host: '127.0.0.1', port: 8080 });
  assert.equal(s.home, '/tmp/x');
  assert.throws(() => parseSettings({ domain: 'Bad_Domain' }, {}), /--domain/);
});

test('wildcard binds are reached on loopback', () => {
  assert.equal(urlFor('0.0.0.0', 80), 'http://127.0.0.1:80');
  assert.equal(urlFor('::', 80), 'http://[::1]:80');
});
