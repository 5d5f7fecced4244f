// The real nodejs buildpack against real npm (network to the registry is available to tests).
import assert from 'node:assert/strict';
import { access, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { isSlipwayError, freePort } from '../lib/index.js';
import { build, rebuildDir, startProcess, stepEnv, waitForHttp, workspace } from '../testkit/index.js';

const RESTORED = '       Restoring node_modules from cache (lockfile and Node version unchanged)';

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}

test('node-deps: npm ci installs, the app runs, a second build restores the cache and skips npm', async (t) => {
  const ws = await workspace(t, 'node-deps');
  const first = await build(ws);
  assert.deepEqual(first.result.buildpacks, [{ name: 'Node.js', spec: 'nodejs' }]);
  assert.match(first.result.defaultProcessTypes['web'] ?? '', /^exec env .* sh -c 'exec node index\.js'$/, 'npm start resolved to its script');
  assert.ok(first.log.some((l) => l.includes('Running: npm ci --prefer-offline --no-audit --no-fund')), first.log.join('\n'));
  assert.ok(first.log.some((l) => /satisfies engines.node "20.x"/.test(l)));
  assert.ok(!first.log.includes(RESTORED));
  assert.ok(await exists(path.join(ws.cacheDir, 'node/key')));
  assert.ok(await exists(path.join(ws.cacheDir, 'npm')), 'npm cache kept in CACHE_DIR/npm');

  const profile = await readFile(path.join(ws.buildDir, '.profile.d/nodejs.sh'), 'utf8');
  assert.match(profile, /NODE_ENV=\$\{NODE_ENV:-production\}/);
  assert.match(profile, /\/app\/node_modules\/\.bin/);

  const port = await freePort();
  startProcess(t, ['node', 'index.js'], { cwd: ws.buildDir, env: { PATH: process.env['PATH'] ?? '', PORT: String(port) } });
  assert.match((await waitForHttp(port)).body, /one day is 86400000 ms; &lt;escaped&gt;/);

  const again = await rebuildDir(ws, 'node-deps');
  const second = await build(again);
  assert.ok(second.log.includes(RESTORED), second.log.join('\n'));
  assert.ok(!second.log.some((l) => l.includes('Running: npm ci')), 'no install on an unchanged lockfile');
  const a = await stat(path.join(ws.cacheDir, 'node/node_modules/ms/package.json'));
  const b = await stat(path.join(again.buildDir, 'node_modules/ms/package.json'));
  assert.equal(b.ino, a.ino, 'restored as hardlinks, not copies');
});

test('node-build: no lockfile → npm install, build script runs with devDependencies, which are then pruned', async (t) => {
  const ws = await workspace(t, 'node-build');
  const { result, log } = await build(ws);
  assert.ok(log.some((l) => l.includes('Running: npm install --prefer-offline --no-audit --no-fund')), log.join('\n'));
  assert.ok(log.includes('-----> Running build (npm)'));
  assert.ok(log.includes('-----> Pruning devDependencies'));
  assert.equal(await readFile(path.join(ws.buildDir, 'dist/built.txt'), 'utf8'), 'built with is-number: true; NODE_ENV=production\n');
  assert.ok(!(await exists(path.join(ws.buildDir, 'node_modules/is-number'))), 'devDependency pruned');
  assert.ok(await exists(path.join(ws.cacheDir, 'node/node_modules/is-number')), 'the cache keeps devDependencies for the next build');
  assert.match(result.defaultProcessTypes['web'] ?? '', /^exec env .* sh -c 'exec node dist\/server\.js'$/);
});

test('nodejs: invalid package.json fails the compile with the parser position', async (t) => {
  const ws = await workspace(t);
  await writeFile(path.join(ws.buildDir, 'package.json'), '{"name": "x",, }');
  await assert.rejects(build(ws), (err: unknown) => {
    assert.ok(isSlipwayError(err) && err.code === 'E_BUILD_FAILED');
    assert.equal(err.message, 'nodejs buildpack failed to compile (exit 1)');
    const log = (err as unknown as { buildLog: string[] }).buildLog;
    assert.ok(log.some((l) => /package\.json is not valid JSON: .*position \d+/.test(l)), log.join('\n'));
    return true;
  });
});

test('nodejs: engines.node mismatch warns, no deps installs offline, no web process without start', async (t) => {
  const ws = await workspace(t);
  await writeFile(path.join(ws.buildDir, 'package.json'), JSON.stringify({ name: 'x', version: '1.0.0', engines: { node: '<10' } }));
  const { result, log } = await build(ws, { env: stepEnv({ npm_config_offline: 'true' }) });
  assert.ok(log.includes(`-----> WARNING: engines.node "<10" does not match the installed Node ${process.version}`), log.join('\n'));
  assert.deepEqual(result.defaultProcessTypes, {});
});
