import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formationMemoryMb, planAppEnv } from './index.js';

test('planAppEnv: values and secrets for keys not set, required ones listed when missing, existing config untouched', () => {
  let n = 0;
  const plan = planAppEnv(
    {
      GREETING: 'hello',
      WEB_CONCURRENCY: { description: 'workers', value: '2' },
      SECRET_KEY_BASE: { generator: 'secret' },
      DATABASE_URL: { required: true },
      API_KEY: { required: true, description: 'from the provider' },
      OPTIONAL: { description: 'nothing to do' },
      ALREADY: { value: 'from app.json', required: true },
    },
    { API_KEY: 'set-by-user', ALREADY: 'mine' },
    () => `secret-${++n}`,
  );
  assert.deepEqual(plan, { set: { GREETING: 'hello', WEB_CONCURRENCY: '2', SECRET_KEY_BASE: 'secret-1' }, generated: ['SECRET_KEY_BASE'], missing: ['DATABASE_URL'] });
});

test('planAppEnv: a required key with a value in app.json is satisfied by it', () => {
  assert.deepEqual(planAppEnv({ A: { value: 'x', required: true } }, {}, () => 'never'), { set: { A: 'x' }, generated: [], missing: [] });
});

test('formationMemoryMb: memory first, else a Heroku dyno size; unknown sizes set nothing', () => {
  assert.equal(formationMemoryMb({ memory: '512M' }), 512);
  assert.equal(formationMemoryMb({ memory: '2G', size: 'standard-1x' }), 2048);
  assert.equal(formationMemoryMb({ memory: '2048K' }), 2);
  assert.equal(formationMemoryMb({ size: 'standard-2X' }), 1024);
  assert.equal(formationMemoryMb({ size: 'Performance-M' }), 2560);
  assert.equal(formationMemoryMb({ size: 'huge' }), undefined);
  assert.equal(formationMemoryMb({ quantity: 2 }), undefined);
});
