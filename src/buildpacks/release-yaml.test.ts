import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSlipwayError } from '../lib/index.js';
import { parseReleaseYaml } from './index.js';

const empty = { default_process_types: {}, config_vars: {}, addons: [] };

test('parseReleaseYaml: the usual shape', () => {
  const text = '---\naddons:\n  - heroku-postgresql\ndefault_process_types:\n  web: npm start\n  worker: node worker.js\n';
  assert.deepEqual(parseReleaseYaml(text, 'nodejs'), {
    default_process_types: { web: 'npm start', worker: 'node worker.js' },
    config_vars: {},
    addons: ['heroku-postgresql'],
  });
});

test('parseReleaseYaml: empty and null documents and sections are fine', () => {
  assert.deepEqual(parseReleaseYaml('', 'x'), empty);
  assert.deepEqual(parseReleaseYaml('--- {}\n', 'x'), empty);
  assert.deepEqual(parseReleaseYaml('---\n', 'x'), empty);
  assert.deepEqual(parseReleaseYaml('default_process_types:\nconfig_vars: ~\naddons:\n', 'x'), empty);
});

test('parseReleaseYaml: unusual content is tolerated and kept literally', () => {
  const text = [
    'config_vars:',
    '  "": dropped',
    '  PORT_HINT: $PORT',
    '  N: 2',
    '  FLAG: true',
    '  EMPTY: ""',
    'default_process_types:',
    '  web: ./bin/web --port $PORT',
    '  "": nothing',
    '  worker-2: "echo a: b"',
    '  skip_me: ~',
    'addons: []',
    'something_else: [1, 2]',
  ].join('\n');
  assert.deepEqual(parseReleaseYaml(text, 'x'), {
    default_process_types: { web: './bin/web --port $PORT', 'worker-2': 'echo a: b' },
    config_vars: { PORT_HINT: '$PORT', N: '2', FLAG: 'true', EMPTY: '' },
    addons: [],
  });
});

test('parseReleaseYaml: __proto__ stays data', () => {
  const out = parseReleaseYaml('default_process_types:\n  __proto__: evil\n', 'x');
  assert.equal(Object.getPrototypeOf(out.default_process_types), Object.prototype);
  assert.deepEqual(Object.keys(out.default_process_types), ['__proto__']);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('parseReleaseYaml: invalid YAML or wrong shapes name the buildpack', () => {
  const bad = [
    'default_process_types: [web]',
    'default_process_types:\n  web:\n    nested: map',
    'default_process_types:\n  "bad name": x',
    'default_process_types:\n  "we/b": x',
    'config_vars: [A]',
    'config_vars:\n  "1ABC": x',
    'config_vars:\n  A=B: x',
    'addons: heroku-postgresql',
    'addons: [{a: b}]',
    '- just\n- a list',
    'plain scalar',
    'default_process_types: {web: x\n',
    'a: 1\na: 2',
    'default_process_types:\n\tweb: tab-indented',
  ];
  for (const text of bad) {
    assert.throws(
      () => parseReleaseYaml(text, 'my-bp'),
      (err: unknown) => isSlipwayError(err) && err.code === 'E_BUILDPACK_INVALID' && err.message.startsWith('my-bp buildpack'),
      `should refuse ${JSON.stringify(text)}`,
    );
  }
});
