import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SlipwayError } from '../lib/index.js';
import { findCronProblem, nextCronRuns, parseAppJson } from './index.js';

/** Asserts app.json text is refused with E_APP_JSON_INVALID and a message containing every `expected`. */
function rejects(text: string, ...expected: string[]): SlipwayError {
  let caught: unknown;
  try {
    parseAppJson(text);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof SlipwayError, `expected a SlipwayError, got ${String(caught)}`);
  assert.equal(caught.code, 'E_APP_JSON_INVALID');
  for (const e of expected) assert.ok(caught.message.includes(e), `message ${JSON.stringify(caught.message)} lacks ${JSON.stringify(e)}`);
  return caught;
}

const json = (v: unknown): string => JSON.stringify(v, null, 2);
const cron = (...entries: unknown[]): string => json({ cron: entries });
const CRON_HELP = 'is not a valid cron expression (5 fields: minute hour day month weekday)';

const FULL = {
  name: 'hello',
  description: 'A small app',
  keywords: ['node', 'demo'],
  website: 'https://example.com',
  repository: 'https://github.com/example/hello',
  logo: 'https://example.com/logo.svg',
  success_url: '/welcome',
  env: {
    GREETING: 'hi',
    SECRET_KEY: { description: 'signs cookies', generator: 'secret' },
    DATABASE_URL: { required: true },
    _X: { value: 'x', required: false },
  },
  formation: { web: { quantity: 2, size: 'standard-1x', max_parallel: 1, memory: '512M' }, worker: { quantity: 0, memory: '1G' } },
  scripts: { dokku: { predeploy: 'npm run migrate', postdeploy: 'echo done' }, postdeploy: 'rake db:seed', 'pr-predestroy': 'echo bye' },
  buildpacks: [{ url: 'heroku/nodejs' }, { url: 'https://github.com/heroku/heroku-buildpack-nodejs.git' }],
  stack: 'heroku-24',
  addons: ['heroku-postgresql', { plan: 'heroku-redis:mini', as: 'CACHE' }],
  environments: { test: { scripts: { test: 'npm test' } } },
  healthchecks: {
    web: [
      { type: 'startup', name: 'boot', path: '/health', port: 5000, timeout: 5, attempts: 3, wait: 1.5, initialDelay: 0, content: 'ok' },
      { type: 'liveness', command: ['/app/bin/check', '--quick'], uptime: 10 },
      { path: '/ready' },
    ],
  },
  cron: [
    { command: 'node jobs/report.js # weekly', schedule: '*/5 * * * *' },
    { command: 'npm run cleanup', schedule: '@daily', name: 'cleanup', id: 'clean-1', TZ: 'Europe/Paris', concurrency: 'allow' },
    { command: 'true', schedule: '0 3 * * MON-FRI', timezone: 'UTC', concurrency_policy: 'forbid' },
  ],
};

describe('parseAppJson: valid manifests', () => {
  it('parses a full example, applying defaults and resolving aliases', () => {
    const expected = {
      ...FULL,
      healthchecks: {
        web: [
          { type: 'startup', name: 'boot', path: '/health', port: 5000, timeout: 5, attempts: 3, wait: 1.5, initialDelay: 0, content: 'ok' },
          { type: 'liveness', command: ['/app/bin/check', '--quick'], uptime: 10 },
          { type: 'startup', path: '/ready' },
        ],
      },
      cron: [
        { command: 'node jobs/report.js # weekly', schedule: '*/5 * * * *', concurrency: 'forbid' },
        { command: 'npm run cleanup', schedule: '@daily', name: 'cleanup', id: 'clean-1', timezone: 'Europe/Paris', concurrency: 'allow' },
        { command: 'true', schedule: '0 3 * * MON-FRI', timezone: 'UTC', concurrency: 'forbid' },
      ],
    };
    assert.deepEqual(parseAppJson(json(FULL)).manifest, expected);
  });

  it('accepts an empty object, a BOM and CRLF line endings', () => {
    assert.deepEqual(parseAppJson('{}').manifest, {});
    assert.deepEqual(parseAppJson('\uFEFF{\r\n  "name": "x"\r\n}\r\n').manifest, { name: 'x' });
  });

  it('accepts Heroku CI script keys so Heroku apps deploy unchanged', () => {
    assert.deepEqual(parseAppJson(json({ scripts: { test: 'npm test', 'test-setup': 'npm ci' } })).manifest, { scripts: { test: 'npm test', 'test-setup': 'npm ci' } });
  });

  it('accepts every crontab nickname, @midnight included', () => {
    for (const schedule of ['@hourly', '@daily', '@weekly', '@monthly', '@yearly', '@annually', '@midnight', '@DAILY']) {
      assert.equal(parseAppJson(cron({ command: 'x', schedule })).manifest.cron?.[0]?.schedule, schedule);
    }
  });
});

describe('parseAppJson: unknown keys are warnings', () => {
  const warnings = (v: unknown): string[] => parseAppJson(json(v)).warnings;

  it('keeps an unknown top-level key and names it once', () => {
    const r = parseAppJson(json({ name: 'x', image: 'heroku/nodejs', formations: {} }));
    assert.deepEqual(r.warnings, ['app.json: "image" is not used by Slipway', 'app.json: "formations" is not used by Slipway']);
    assert.equal((r.manifest as Record<string, unknown>).image, 'heroku/nodejs');
  });

  it('names an unknown nested key with its path', () => {
    assert.deepEqual(warnings({ formation: { web: { quantity: 1, replicas: 2 } } }), ['app.json: formation.web: "replicas" is not used by Slipway']);
    assert.deepEqual(warnings({ env: { A: { value: 'x', secret: true } } }), ['app.json: env.A: "secret" is not used by Slipway']);
    assert.deepEqual(warnings({ healthchecks: { web: [{ path: '/', interval: 3 }] } }), ['app.json: healthchecks.web[0]: "interval" is not used by Slipway']);
    assert.deepEqual(warnings({ cron: [{ command: 'x', schedule: '@daily', maintenance: true }] }), ['app.json: cron[0]: "maintenance" is not used by Slipway']);
    assert.deepEqual(warnings({ scripts: { dokku: { prebuild: 'x' } } }), ['app.json: scripts.dokku: "prebuild" is not used by Slipway']);
  });

  it('says nothing about keys it knows, even those it only keeps', () => {
    assert.deepEqual(warnings({ stack: 'heroku-24', environments: { test: { scripts: { test: 'npm test' } }, review: { addons: ['x'] } }, logo: 'x' }), []);
  });

  it('still refuses a known key with a wrong value, next to an unknown key', () => {
    rejects(json({ image: 'x', formation: { web: { quantity: '2', replicas: 2 } } }), 'app.json: formation.web.quantity: must be an integer');
  });

  it('warns about a dyno size it cannot map to memory', () => {
    assert.deepEqual(warnings({ formation: { web: { size: 'standard-2x' }, worker: { size: 'huge' } } }), ['app.json: formation.worker.size: "huge" is not a size Slipway knows (use memory, e.g. "512M"); no memory limit is set from it']);
  });

  it('reports add-ons as not provisioned, never as a failure', () => {
    assert.deepEqual(warnings({ addons: ['heroku-postgresql', { plan: 'heroku-redis:mini', as: 'CACHE' }] }), ['app.json: addons not provisioned (Slipway has no add-ons yet): heroku-postgresql, heroku-redis:mini']);
  });
});

describe('parseAppJson: real-world files', () => {
  it("reads Heroku's Node getting-started manifest (image, stack, environments, addons)", () => {
    const text = json({
      name: 'Start on Heroku: Node.js',
      description: 'A barebones Node.js app using Express',
      repository: 'https://github.com/heroku/node-js-getting-started',
      logo: 'https://cdn.rawgit.com/heroku/node-js-getting-started/main/public/node.svg',
      keywords: ['node', 'express', 'heroku'],
      image: 'heroku/nodejs',
      stack: 'heroku-24',
      environments: { test: { scripts: { test: 'npm test' } } },
    });
    const r = parseAppJson(text);
    assert.equal(r.manifest.name, 'Start on Heroku: Node.js');
    assert.deepEqual(r.warnings, ['app.json: "image" is not used by Slipway']);
  });

  it("reads a Dokku test app's app.json with comments and trailing commas", () => {
    const text = `{
  // Dokku reads app.json as JSON with comments
  "scripts": {
    "dokku": {
      "predeploy": "touch /app/predeploy.test", /* runs in the new slug */
      "postdeploy": "echo deployed",
    },
  },
  "env": {
    "SECRET_KEY_BASE": { "description": "signs cookies", "generator": "secret" },
    "GREETING": { "value": "hello", "required": true },
  },
  "formation": { "web": { "quantity": 1, }, },
}
`;
    const r = parseAppJson(text);
    assert.deepEqual(r.manifest.scripts, { dokku: { predeploy: 'touch /app/predeploy.test', postdeploy: 'echo deployed' } });
    assert.deepEqual(r.manifest.env?.SECRET_KEY_BASE, { description: 'signs cookies', generator: 'secret' });
    assert.deepEqual(r.manifest.formation, { web: { quantity: 1 } });
    assert.deepEqual(r.warnings, []);
  });

  it('reports a syntax error in a file with comments at its line and column', () => {
    rejects('{\n  // a comment\n  "name": "x"\n  "stack": "y"\n}\n', 'app.json: invalid JSON at line 4, column 3: expected "," or a closing bracket');
  });
});

describe('parseAppJson: values', () => {
  it('refuses bad formation quantities', () => {
    rejects(json({ formation: { web: { quantity: -1 } } }), 'app.json: formation.web.quantity: must be an integer ≥ 0');
    rejects(json({ formation: { web: { quantity: 1.5 } } }), 'formation.web.quantity: must be an integer ≥ 0');
    rejects(json({ formation: { web: { quantity: '2' } } }), 'formation.web.quantity: must be an integer ≥ 0');
    rejects(json({ formation: { web: { quantity: 101 } } }), 'formation.web.quantity: must be an integer ≥ 0 and ≤ 100');
  });

  it('refuses bad formation memory, max_parallel and process type names', () => {
    rejects(json({ formation: { web: { memory: '512MB' } } }), 'formation.web.memory: must be a size such as "512M" or "1G"');
    rejects(json({ formation: { web: { max_parallel: 0 } } }), 'formation.web.max_parallel: must be an integer ≥ 1');
    rejects(json({ formation: { 'my web': {} } }), 'formation["my web"]: key is not a process type name');
  });

  it('refuses bad env keys and values, naming the deepest problem', () => {
    rejects(json({ env: { '1ABC': 'x' } }), 'env.1ABC: key is not a config var name');
    rejects(json({ env: { A: 3 } }), 'env.A: must be a string or an object');
    rejects(json({ env: { A: { value: 3 } } }), 'env.A.value: must be a string (got a number)');
    rejects(json({ env: { A: { generator: 'uuid' } } }), 'env.A.generator: must be "secret"');
  });

  it('refuses a key zod would otherwise drop silently', () => {
    rejects('{"env": {"__proto__": "x"}}', 'app.json: env: key "__proto__" is not allowed');
    rejects('{"formation": {"web": {}, "__proto__": {"quantity": 1}}}', 'app.json: formation: key "__proto__" is not allowed');
    rejects('{"__proto__": {}}', 'app.json: key "__proto__" is not allowed');
    rejects('{"environments": {"test": {"__proto__": {}}}}', 'app.json: environments.test: key "__proto__"');
  });

  it('refuses wrong types with what was found', () => {
    rejects('[]', 'app.json: must be an object (got an array)');
    rejects(json({ keywords: 'node' }), 'app.json: keywords: must be an array (got a string)');
    rejects(json({ buildpacks: [{ url: '' }, 'heroku/nodejs'] }), 'buildpacks[0].url: must not be empty', 'buildpacks[1]: must be an object (got a string)');
  });

  it('refuses a non-object document', () => {
    rejects('"x"', 'app.json: must be an object (got a string)');
  });

  it('reports every problem, one per line', () => {
    const err = rejects(json({ formation: { web: { quantity: -1 } }, stack: 1 }), 'formation.web.quantity', 'stack');
    assert.equal(err.message.split('\n').length, 2);
  });
});

describe('parseAppJson: healthchecks', () => {
  it('refuses a path that does not start with /', () => {
    rejects(json({ healthchecks: { web: [{ path: 'health' }] } }), 'app.json: healthchecks.web[0].path: must start with "/"');
  });

  it('refuses bad types, timeouts, attempts and ports', () => {
    rejects(json({ healthchecks: { web: [{ type: 'boot' }] } }), 'healthchecks.web[0].type: must be one of "startup", "readiness", "liveness"');
    rejects(json({ healthchecks: { web: [{ timeout: 0 }] } }), 'healthchecks.web[0].timeout: must be a number of seconds > 0');
    rejects(json({ healthchecks: { web: [{ attempts: 0 }] } }), 'healthchecks.web[0].attempts: must be an integer ≥ 1');
    rejects(json({ healthchecks: { web: [{ port: 70000 }] } }), 'healthchecks.web[0].port: must be a port number');
    rejects(json({ healthchecks: { web: [{ wait: -1 }] } }), 'healthchecks.web[0].wait: must be a number of seconds ≥ 0');
    rejects(json({ healthchecks: { web: [{ command: [] }] } }), 'healthchecks.web[0].command: must list at least the program');
  });
});

describe('parseAppJson: cron', () => {
  it('refuses the wrong number of fields, naming the entry', () => {
    rejects(cron({ command: 'a', schedule: '@daily' }, { command: 'b', schedule: '@daily' }, { command: 'c', schedule: '*/5 * *' }), `app.json: cron[2].schedule: "*/5 * *" ${CRON_HELP}: it has 3 fields`);
    rejects(cron({ command: 'x', schedule: '' }), `cron[0].schedule: "" ${CRON_HELP}: it is empty`);
  });

  it('refuses the seconds (6 and 7 field) forms', () => {
    rejects(cron({ command: 'x', schedule: '0 */5 * * * *' }), `"0 */5 * * * *" ${CRON_HELP}: it has 6 fields; a seconds`);
    rejects(cron({ command: 'x', schedule: '0 0 0 * * * 2030' }), `${CRON_HELP}: it has 7 fields`);
  });

  it('refuses out-of-range values, naming the field', () => {
    rejects(cron({ command: 'x', schedule: '61 * * * *' }), `cron[0].schedule: "61 * * * *" ${CRON_HELP}: minute field "61" is out of range (0-59)`);
    rejects(cron({ command: 'x', schedule: '0 24 * * *' }), 'hour field "24" is out of range');
    rejects(cron({ command: 'x', schedule: '0 0 0 * *' }), 'day field "0" is out of range (1-31)');
    rejects(cron({ command: 'x', schedule: '0 0 1 13 *' }), 'month field "13" is out of range');
    rejects(cron({ command: 'x', schedule: '0 0 * * 8' }), 'weekday field "8" is out of range');
    rejects(cron({ command: 'x', schedule: 'x * * * *' }), `"x * * * *" ${CRON_HELP}`);
  });

  it('refuses @reboot, "?" and schedules that never fire', () => {
    rejects(cron({ command: 'x', schedule: '@reboot' }), `"@reboot" ${CRON_HELP}: use one of @hourly`);
    rejects(cron({ command: 'x', schedule: '0 0 ? * *' }), '"?" is not supported');
    rejects(cron({ command: 'x', schedule: '0 0 30 2 *' }), 'cron[0].schedule: "0 0 30 2 *" never matches a date');
  });

  it('refuses unknown time zones', () => {
    rejects(cron({ command: 'x', schedule: '@daily', TZ: 'Mars/Olympus' }), 'cron[0].TZ: "Mars/Olympus" is not a known IANA time zone');
    rejects(cron({ command: 'x', schedule: '@daily', timezone: 'Europe/Pariss' }), 'cron[0].timezone: "Europe/Pariss" is not a known IANA time zone');
    rejects(cron({ command: 'x', schedule: '@daily', TZ: 'UTC', timezone: 'UTC' }), 'cron[0].timezone: give either TZ or timezone, not both');
  });

  it('refuses empty commands, unknown concurrency and duplicate ids', () => {
    rejects(cron({ command: '  ', schedule: '@daily' }), 'cron[0].command: must not be empty');
    rejects(cron({ schedule: '@daily' }), 'cron[0].command: is required');
    rejects(cron({ command: 'x', schedule: '@daily', concurrency_policy: 'replace' }), 'cron[0].concurrency_policy: must be one of "allow", "forbid"');
    rejects(cron({ command: 'a', schedule: '@daily', id: 'j' }, { command: 'b', schedule: '@daily', id: 'j' }), 'cron[1].id: duplicate id "j" (also used by cron[0])');
  });

  it('keeps valid schedules as written', () => {
    const m = parseAppJson(cron({ command: 'x', schedule: '*/5 * * * *' }, { command: 'y', schedule: '@daily' })).manifest;
    assert.deepEqual(m.cron?.map((c) => c.schedule), ['*/5 * * * *', '@daily']);
  });
});

describe('parseAppJson: invalid JSON', () => {
  it('reports line and column of the first error', () => {
    rejects('{\n  "name": "x",\n  "stack": }', 'invalid JSON at line 3, column 12: expected a value');
    rejects("{\r\n  'name': 1\r\n}", 'invalid JSON at line 2, column 3');
    rejects('{"a": tru}', 'invalid JSON at line 1, column 7');
    rejects('{"a": [1, 2]} {}', 'invalid JSON at line 1, column 15: expected the end of the file');
    rejects('{"a": "x\n"}', 'invalid JSON at line 1, column 7');
  });

  it('reports the end of an empty or truncated file', () => {
    rejects('', 'invalid JSON at line 1, column 1: the file ends too early');
    rejects('{\n  "a": [1, 2', 'invalid JSON at line 2, column 13: the file ends too early');
    rejects('{"a": 1 /* open', 'app.json: invalid JSON');
  });

  it('refuses deep nesting before parsing, with where it happened', () => {
    rejects(`{"environments": {"x": ${'['.repeat(100000)}${']'.repeat(100000)}}}`, 'nested more than 64 levels deep (line 1, column');
  });
});

describe('nextCronRuns', () => {
  const from = new Date('2024-03-01T10:02:00Z');

  it('lists upcoming runs of a 5-field schedule', () => {
    assert.deepEqual(nextCronRuns('*/5 * * * *', 'UTC', from, 3).map((d) => d.toISOString()), ['2024-03-01T10:05:00.000Z', '2024-03-01T10:10:00.000Z', '2024-03-01T10:15:00.000Z']);
  });

  it('honours the time zone and @midnight', () => {
    assert.deepEqual(nextCronRuns('@midnight', 'Europe/Paris', from, 2).map((d) => d.toISOString()), ['2024-03-01T23:00:00.000Z', '2024-03-02T23:00:00.000Z']);
  });

  it('fires when day-of-month OR weekday matches, as crontab does', () => {
    // 2024-03-01 is a Friday: the 15th (Friday) and every Monday.
    assert.deepEqual(nextCronRuns('0 0 15 * MON', 'UTC', from, 3).map((d) => d.toISOString().slice(0, 10)), ['2024-03-04', '2024-03-11', '2024-03-15']);
  });

  it('refuses an invalid schedule or zone', () => {
    assert.throws(() => nextCronRuns('* * *', 'UTC', from, 1), { code: 'E_APP_JSON_INVALID' });
    assert.throws(() => nextCronRuns('@daily', 'Nowhere/City', from, 1), /not a known IANA time zone/);
  });
});

describe('findCronProblem', () => {
  it('is undefined for valid schedules', () => {
    for (const s of ['*/5 * * * *', '0 0 * * *', ' 0  3 * * 1-5 ', '0 0 L * *', '@annually']) assert.equal(findCronProblem(s), undefined, s);
  });
});

describe('app.json limits', () => {
  it('refuses 10,000 cron jobs at once, naming the limit, without parsing each', () => {
    const jobs = Array.from({ length: 10_000 }, (_, i) => ({ command: `echo ${i}`, schedule: '* * * * *' }));
    rejects(cron(...jobs), 'app.json: cron: has 10000 jobs; the limit is 50 per app');
  });

  it('accepts 50 cron jobs; refuses 51', () => {
    const jobs = (n: number) => Array.from({ length: n }, (_, i) => ({ command: `echo ${i}`, schedule: '*/5 * * * *' }));
    assert.equal(parseAppJson(cron(...jobs(50))).manifest.cron?.length, 50);
    rejects(cron(...jobs(51)), 'cron: has 51 jobs; the limit is 50 per app');
  });

  it('bounds formation entries, health checks per type and env entries', () => {
    const many = (n: number, v: unknown) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, v]));
    rejects(json({ formation: many(101, { quantity: 1 }) }), 'formation: has 101 process types; the limit is 100 per app');
    rejects(json({ healthchecks: { web: Array.from({ length: 11 }, () => ({ path: '/' })) } }), 'healthchecks.web: has 11 checks; the limit is 10 per process type');
    rejects(json({ env: many(1001, 'x') }), 'env: has 1001 entries; the limit is 1000 per app');
  });
});
