import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planAppEnv } from './index.js';

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
