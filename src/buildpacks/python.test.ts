import assert from 'node:assert/strict';
import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { run, freePort } from '../lib/index.js';
import { builtinDir } from './resolve.js';
import { hostStepRunner } from './step.js';
import { build, startProcess, stepEnv, waitForHttp, workspace } from '../testkit/index.js';

// Any attempt to reach a package index fails fast instead of silently using the network.
const NO_NETWORK = { PIP_INDEX_URL: 'http://127.0.0.1:9/simple', https_proxy: 'http://127.0.0.1:9', http_proxy: 'http://127.0.0.1:9' };

test('python-stdlib: a comment-only requirements.txt makes a pip-less venv without network', async (t) => {
  const ws = await workspace(t, 'python-stdlib');
  const { result, log } = await build(ws, { env: stepEnv(NO_NETWORK) });
  assert.deepEqual(result.buildpacks, [{ name: 'Python', spec: 'python' }]);
  assert.deepEqual(result.defaultProcessTypes, {});
  assert.ok(log.includes('       No requirements: no pip, no network'), log.join('\n'));
  await access(path.join(ws.buildDir, '.venv/bin/python'));
  await assert.rejects(access(path.join(ws.buildDir, '.venv/bin/pip')), 'no pip was installed');

  const profile = await readFile(path.join(ws.buildDir, '.profile.d/python.sh'), 'utf8');
  assert.match(profile, /PATH="\/app\/\.venv\/bin:\$PATH"/);
  assert.match(profile, /PYTHONUNBUFFERED=1/);

  // The Procfile's `python app.py`, with PATH as .profile.d sets it: the venv's python runs the app.
  const port = await freePort();
  const env = { PATH: `${ws.buildDir}/.venv/bin:${process.env['PATH'] ?? ''}`, PORT: String(port) };
  startProcess(t, ['python', 'app.py'], { cwd: ws.buildDir, env });
  assert.equal((await waitForHttp(port)).body, 'python-stdlib says hi\n');
});

test('python: runtime.txt and .python-version pick that Python when the server has it, else the build says what exists', async (t) => {
  const host = (await run(['/usr/bin/python3', '-c', 'import sys; print("%d.%d" % sys.version_info[:2])'])).stdout.trim();
  const ws = await workspace(t);
  await writeFile(path.join(ws.buildDir, 'runtime.txt'), `python-${host}.0\n`);
  const { log } = await build(ws, { env: stepEnv(NO_NETWORK) });
  assert.ok(log.includes('-----> Python app detected'));
  assert.ok(log.some((l) => l.startsWith(`       runtime.txt asks for Python ${host}.0 -> /usr/bin/python${host} (${host}.`)), log.join('\n'));
  assert.ok(log.some((l) => l.startsWith(`-----> Python ${host}.`)), log.join('\n'));

  for (const [file, text, why] of [
    ['runtime.txt', 'python-2.7\n', /runtime\.txt asks for Python 2\.7, which this server does not have \(this server has Python [0-9. ]+\)/],
    ['.python-version', 'pypy3.10\n', /\.python-version asks for "pypy3\.10", which is not a Python version such as 3\.11/],
  ] as const) {
    const bad = await workspace(t);
    await writeFile(path.join(bad.buildDir, 'requirements.txt'), '# stdlib only\n');
    await writeFile(path.join(bad.buildDir, file), text);
    await assert.rejects(build(bad, { env: stepEnv(NO_NETWORK) }), (err: Error & { buildLog?: string[] }) => {
      assert.match((err.buildLog ?? []).join('\n'), why);
      return true;
    });
  }
});

test('python: Django with gunicorn gets a default web process', async (t) => {
  const ws = await workspace(t);
  // Only bin/release is exercised here (installing gunicorn would need the network).
  await writeFile(path.join(ws.buildDir, 'requirements.txt'), 'Django>=4\ngunicorn==22.0.0\n');
  await writeFile(path.join(ws.buildDir, 'manage.py'), '');
  await mkdir(path.join(ws.buildDir, 'mysite'));
  await writeFile(path.join(ws.buildDir, 'mysite/wsgi.py'), '');
  const res = await hostStepRunner([path.join(builtinDir('python'), 'bin/release'), ws.buildDir], { cwd: ws.buildDir, env: stepEnv() });
  assert.equal(res.stdout, '---\ndefault_process_types:\n  web: gunicorn mysite.wsgi\n');
});

// A wheel built on the spot, so pip runs for real (venv with pip, install, cache) with no index.
const MAKE_WHEEL = `
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("tinypkg/__init__.py", "GREETING = 'hi from tinypkg'\\n")
    z.writestr("tinypkg-1.0.dist-info/METADATA", "Metadata-Version: 2.1\\nName: tinypkg\\nVersion: 1.0\\n")
    z.writestr("tinypkg-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\\nGenerator: slipway-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
    z.writestr("tinypkg-1.0.dist-info/RECORD", "tinypkg/__init__.py,,\\ntinypkg-1.0.dist-info/METADATA,,\\ntinypkg-1.0.dist-info/WHEEL,,\\ntinypkg-1.0.dist-info/RECORD,,\\n")
`;

test('python: requirements are pip-installed into .venv, and an unchanged build restores the cached venv', async (t) => {
  const ws = await workspace(t);
  const buildAt = async (dir: string): Promise<string[]> => {
    await mkdir(path.join(dir, 'wheels'), { recursive: true });
    await run(['python3', '-c', MAKE_WHEEL, path.join(dir, 'wheels/tinypkg-1.0-py3-none-any.whl')]);
    await writeFile(path.join(dir, 'requirements.txt'), '--no-index\n--find-links ./wheels\ntinypkg==1.0\n');
    return (await build({ ...ws, buildDir: dir }, { env: stepEnv(NO_NETWORK) })).log;
  };
  const first = await buildAt(ws.buildDir);
  assert.ok(first.includes('       Running: pip install -r requirements.txt'), first.join('\n'));
  const check = await run([path.join(ws.buildDir, '.venv/bin/python'), '-c', 'import tinypkg; print(tinypkg.GREETING)']);
  assert.equal(check.stdout, 'hi from tinypkg\n');

  // Same path (like /app in the sandbox), fresh directory: the venv comes from the cache.
  await rm(ws.buildDir, { recursive: true });
  const second = await buildAt(ws.buildDir);
  assert.ok(second.includes('       Restoring .venv from cache (requirements and Python version unchanged)'), second.join('\n'));
  assert.ok(!second.some((l) => l.includes('pip install')));
});
