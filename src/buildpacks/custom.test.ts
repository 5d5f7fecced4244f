// User-set buildpacks: fixtures/buildpacks/hello-classic then second-classic, by path and by git URL.
import assert from 'node:assert/strict';
import { cp, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { isSlipwayError, run, freePort } from '../lib/index.js';
import { parseBuildpackRef, resolveBuildpacks } from './index.js';
import { build, FIXTURES, startProcess, tempDir, waitForHttp, workspace } from '../testkit/index.js';

/** Copies of the fixture buildpacks, because hello-classic writes its `export` file beside itself. */
async function copyBuildpacks(t: TestContext): Promise<{ hello: string; second: string }> {
  const dir = await tempDir(t, 'slipway-bps-');
  const hello = path.join(dir, 'hello-classic');
  const second = path.join(dir, 'second-classic');
  await cp(path.join(FIXTURES, 'buildpacks/hello-classic'), hello, { recursive: true });
  await cp(path.join(FIXTURES, 'buildpacks/second-classic'), second, { recursive: true });
  return { hello, second };
}

test('custom buildpacks run in order with export, .profile.d, ENV_DIR, no exec bit and odd release YAML', async (t) => {
  const { hello, second } = await copyBuildpacks(t);
  assert.equal((await stat(path.join(hello, 'bin/compile'))).mode & 0o111, 0, 'fixture keeps bin/compile non-executable');
  const ws = await workspace(t, 'custom-bp');
  await writeFile(path.join(ws.envDir, 'GREETING'), 'howdy');

  const { result, log } = await build(ws, { refs: [parseBuildpackRef(hello), parseBuildpackRef(second)] });
  assert.deepEqual(result, {
    buildpacks: [{ name: 'Hello', spec: hello }, { name: 'Second', spec: second }],
    // The last buildpack declaring process types wins; `$PORT` stays literal.
    defaultProcessTypes: { web: './bin/hello-web $PORT --from-second', worker: 'while true; do echo tick; sleep 60; done' },
    configVars: { HELLO_CONFIG: 'from-release', SHARED: 'second', SECOND: '2' },
    addons: [],
  });
  assert.deepEqual(log.filter((l) => l.startsWith('-----> ')), [
    '-----> Hello app detected', '-----> Installing hello', '-----> Second app detected', '-----> Second buildpack',
  ]);
  assert.equal(await readFile(path.join(ws.buildDir, 'second.txt'), 'utf8'), 'from-hello\n');
  assert.equal(await readFile(path.join(ws.buildDir, 'greeting.txt'), 'utf8'), 'howdy\n');
  assert.match(await readFile(path.join(ws.buildDir, '.profile.d/hello.sh'), 'utf8'), /HELLO_FROM_PROFILE=yes/);

  // The vendored web process answers with the ENV_DIR greeting.
  const port = await freePort();
  startProcess(t, ['./bin/hello-web', String(port)], { cwd: ws.buildDir, env: { PATH: process.env['PATH'] ?? '' } });
  assert.equal((await waitForHttp(port)).body, 'howdy\n');
});

test('a user-set buildpack whose detect refuses the app fails the build naming it', async (t) => {
  const { second } = await copyBuildpacks(t);
  const ws = await workspace(t, 'custom-bp');
  await assert.rejects(build(ws, { refs: [parseBuildpackRef(second)] }), (err: unknown) => {
    assert.ok(isSlipwayError(err) && err.code === 'E_BUILD_FAILED');
    assert.equal(err.message, 'second-classic buildpack does not accept this app (bin/detect exit 1)');
    return true;
  });
});

test('a failing compile is E_BUILD_FAILED with its exit code, its output already logged', async (t) => {
  const { hello } = await copyBuildpacks(t);
  await writeFile(path.join(hello, 'bin/compile'), '#!/usr/bin/env bash\necho "-----> about to fail"\necho "boom" >&2\nexit 3\n');
  const ws = await workspace(t, 'custom-bp');
  await assert.rejects(build(ws, { refs: [parseBuildpackRef(hello)] }), (err: unknown) => {
    assert.ok(isSlipwayError(err) && err.code === 'E_BUILD_FAILED');
    assert.equal(err.message, 'hello-classic buildpack failed to compile (exit 3)');
    assert.deepEqual((err as unknown as { buildLog: string[] }).buildLog.slice(-2), ['-----> about to fail', 'boom']);
    return true;
  });
});

test('bad release YAML is E_BUILDPACK_INVALID naming the buildpack', async (t) => {
  const { hello } = await copyBuildpacks(t);
  await writeFile(path.join(hello, 'bin/release'), '#!/usr/bin/env bash\necho "default_process_types: [web]"\n');
  const ws = await workspace(t, 'custom-bp');
  await assert.rejects(build(ws, { refs: [parseBuildpackRef(hello)] }), (err: unknown) => {
    return isSlipwayError(err) && err.code === 'E_BUILDPACK_INVALID' && err.message.startsWith('hello-classic buildpack');
  });
});

test('a path without bin/compile is E_BUILDPACK_INVALID', async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(
    resolveBuildpacks([parseBuildpackRef(dir)], { workDir: dir, log: () => {} }),
    (err: unknown) => isSlipwayError(err) && err.code === 'E_BUILDPACK_INVALID' && /bin\/detect is missing/.test(err.message),
  );
});

/** A bare repo holding hello-classic (mode 644 compile included) with tag v1; returns [url, sha]. */
async function bareRepo(t: TestContext): Promise<{ url: string; sha: string }> {
  const dir = await tempDir(t, 'slipway-git-');
  const work = path.join(dir, 'work');
  await cp(path.join(FIXTURES, 'buildpacks/hello-classic'), work, { recursive: true });
  const git = (...args: string[]) => run(['git', '-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd: work });
  await git('init', '--quiet');
  await git('add', '-A');
  await git('commit', '--quiet', '-m', 'hello-classic');
  await git('tag', 'v1');
  const sha = (await git('rev-parse', 'HEAD')).stdout.trim();
  await git('clone', '--quiet', '--bare', work, path.join(dir, 'hello.git'));
  return { url: `file://${path.join(dir, 'hello.git')}`, sha };
}

test('git buildpacks: file:// URL with #tag and #sha are cloned and run; a bad ref fails clearly', async (t) => {
  const { url, sha } = await bareRepo(t);
  for (const ref of ['v1', sha]) {
    const ws = await workspace(t, 'custom-bp');
    const { result, log } = await build(ws, { refs: [parseBuildpackRef(`${url}#${ref}`)] });
    assert.ok(log.includes(`-----> Fetching buildpack ${url}#${ref}`), log.join('\n'));
    assert.equal(result.buildpacks[0]?.name, 'Hello');
    assert.equal(result.defaultProcessTypes['web'], './bin/hello-web $PORT');
  }
  const ws = await workspace(t, 'custom-bp');
  await assert.rejects(
    build(ws, { refs: [parseBuildpackRef(`${url}#no-such-tag`)] }),
    (err: unknown) => isSlipwayError(err) && err.code === 'E_BUILDPACK_INVALID' && /no-such-tag/.test(err.message),
  );
});

test('the env given to steps is exactly the one passed in', async (t) => {
  const { hello } = await copyBuildpacks(t);
  await writeFile(path.join(hello, 'bin/compile'), '#!/usr/bin/env bash\nenv | sort | grep -v "^_=\\|^PWD=\\|^SHLVL=" | sed "s/^/env: /"\n');
  const ws = await workspace(t, 'custom-bp');
  const { log } = await build(ws, { refs: [parseBuildpackRef(hello)], env: { PATH: process.env['PATH'] ?? '', ONLY: 'this' } });
  assert.deepEqual(log.filter((l) => l.startsWith('env: ')), [`env: ONLY=this`, `env: PATH=${process.env['PATH']}`]);
});

test('a token in a buildpack URL never reaches the log or the error', async (t) => {
  const dir = await tempDir(t);
  const log: string[] = [];
  const ref = parseBuildpackRef('http://bob:s3cr3t-token@127.0.0.1:9/bp.git#v1');
  await assert.rejects(resolveBuildpacks([ref], { workDir: dir, log: (l) => log.push(l) }), (err: unknown) => {
    assert.ok(isSlipwayError(err) && err.code === 'E_BUILDPACK_INVALID');
    assert.doesNotMatch(err.message, /s3cr3t/);
    return true;
  });
  assert.deepEqual(log, ['-----> Fetching buildpack http://bob:***@127.0.0.1:9/bp.git#v1']);
});
