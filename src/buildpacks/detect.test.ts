import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { isSlipwayError } from '../lib/index.js';
import { BUILTIN_ORDER, hostStepRunner } from './index.js';
import { builtinDir } from './resolve.js';
import { build, FIXTURES, stepEnv, workspace } from '../testkit/index.js';

/** Which built-ins' bin/detect accept a fixture app, and the name each prints. */
async function detectAll(buildDir: string): Promise<Record<string, string>> {
  const accepted: Record<string, string> = {};
  for (const name of BUILTIN_ORDER) {
    const res = await hostStepRunner([path.join(builtinDir(name), 'bin/detect'), buildDir], { cwd: buildDir, env: stepEnv() });
    if (res.exitCode === 0) accepted[name] = res.stdout.trim();
  }
  return accepted;
}

test('each built-in bin/detect accepts exactly the apps it should', async () => {
  const apps = path.join(FIXTURES, 'apps');
  assert.deepEqual(await detectAll(path.join(apps, 'node-deps')), { nodejs: 'Node.js' });
  assert.deepEqual(await detectAll(path.join(apps, 'python-stdlib')), { python: 'Python', procfile: 'Procfile' });
  assert.deepEqual(await detectAll(path.join(apps, 'static-site')), { static: 'Static' });
  assert.deepEqual(await detectAll(path.join(apps, 'procfile-only')), { procfile: 'Procfile' });
  assert.deepEqual(await detectAll(path.join(apps, 'custom-bp')), {});
});

test('static is not detected when a runtime manifest sits beside index.html', async (t) => {
  const ws = await workspace(t, 'static-site');
  await writeFile(path.join(ws.buildDir, 'requirements.txt'), '# nothing\n');
  assert.deepEqual(await detectAll(ws.buildDir), { python: 'Python' });
});

test('detection picks the first built-in in order: static beats procfile', async (t) => {
  const ws = await workspace(t, 'static-site');
  await writeFile(path.join(ws.buildDir, 'Procfile'), 'web: node .slipway/static-server.mjs\n');
  const { result, log } = await build(ws);
  assert.deepEqual(result.buildpacks, [{ name: 'Static', spec: 'static' }]);
  assert.ok(log.includes('-----> Static app detected'), log.join('\n'));
});

test('a Procfile-only app is built by the procfile buildpack', async (t) => {
  const ws = await workspace(t, 'procfile-only');
  const { result, log } = await build(ws);
  assert.deepEqual(result, { buildpacks: [{ name: 'Procfile', spec: 'procfile' }], defaultProcessTypes: {}, configVars: {}, addons: [] });
  assert.deepEqual(log, ['-----> Procfile app detected', "       Using the Procfile's process types"]);
});

test('nothing detected: E_NO_BUILDPACK lists what was tried', async (t) => {
  const ws = await workspace(t, 'custom-bp');
  await assert.rejects(build(ws), (err: unknown) => {
    assert.ok(isSlipwayError(err));
    assert.equal(err.code, 'E_NO_BUILDPACK');
    assert.equal(err.message, 'No buildpack detected this app (tried: function, nodejs, python, perl, static, procfile)');
    assert.equal(err.hint, 'add a package.json, requirements.txt, index.html or Procfile, or set one with `slipway buildpacks:set -a APP URL|PATH|nodejs`');
    return true;
  });
});

test('nodejs, python and perl carry identical copies of lib/common.sh', async () => {
  const [node, python, perl] = await Promise.all([
    readFile(path.join(builtinDir('nodejs'), 'lib/common.sh'), 'utf8'),
    readFile(path.join(builtinDir('python'), 'lib/common.sh'), 'utf8'),
    readFile(path.join(builtinDir('perl'), 'lib/common.sh'), 'utf8'),
  ]);
  assert.equal(python, node);
  assert.equal(perl, node);
});
