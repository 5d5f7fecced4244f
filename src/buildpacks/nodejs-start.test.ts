// The nodejs buildpack's default web process: what `npm start` would run,
// without npm. Each case runs the real `npm start` and the resolved command
// in the same directory and compares what the scripts saw.
import assert from 'node:assert/strict';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { parse } from 'yaml';
import { run } from '../lib/index.js';
import { builtinDir } from './resolve.js';
import { hostStepRunner } from './step.js';
import { stepEnv, workspace } from '../testkit/index.js';

// Prints, as one JSON line, what a script sees: its lifecycle, the package envs, PATH's head and its pid.
const SHOW = `process.stdout.write(JSON.stringify({ pid: process.pid, path0: process.env.PATH.split(':')[0], env: Object.fromEntries(Object.entries(process.env).filter(([k]) => /^npm_(package|lifecycle)_|^INIT_CWD$/.test(k) && k !== 'npm_package_json' || k === 'npm_command')) }) + '\\n')`;

async function appDir(t: TestContext, pkg: object, files: Record<string, string> = {}): Promise<string> {
  const dir = (await workspace(t)).buildDir;
  await writeFile(path.join(dir, 'package.json'), JSON.stringify(pkg));
  await writeFile(path.join(dir, 'show.js'), SHOW);
  // A tool in node_modules/.bin, found on PATH as npm arranges it.
  await mkdir(path.join(dir, 'node_modules/.bin'), { recursive: true });
  await writeFile(path.join(dir, 'node_modules/.bin/say'), '#!/bin/sh\necho "say: $*"\n');
  await chmod(path.join(dir, 'node_modules/.bin/say'), 0o755);
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

async function webCommand(dir: string): Promise<string | undefined> {
  const res = await hostStepRunner([path.join(builtinDir('nodejs'), 'bin/release'), dir], { cwd: dir, env: stepEnv() });
  assert.equal(res.exitCode, 0, res.stdout);
  return (parse(res.stdout) as { default_process_types: Record<string, string> }).default_process_types['web'];
}

// As the instance's init runs a Procfile command: `bash -c CMD`; `$$` is the shell's pid before the command.
const viaSlipway = async (dir: string, cmd: string) => run(['bash', '-c', `echo "shell $$"; ${cmd}`], { cwd: dir, env: stepEnv(), allowFailure: true });
const viaNpm = async (dir: string) => run(['npm', 'start', '--silent'], { cwd: dir, env: stepEnv({ npm_config_update_notifier: 'false' }), allowFailure: true });

const shown = (stdout: string): { pid: number; path0: string; env: Record<string, string> }[] =>
  stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { pid: number; path0: string; env: Record<string, string> });

test('a start script runs as npm would run it: same env, node_modules/.bin first, and the app replaces the shell', async (t) => {
  const pkg = { name: 'hello', version: '1.2.3', engines: { node: '>=18' }, config: { port: '8080' }, bin: { hello: 'show.js' }, scripts: { start: 'node show.js' } };
  const dir = await appDir(t, pkg);
  const cmd = await webCommand(dir);
  assert.ok(cmd && !/\bnpm\b/.test(cmd.replace(/npm_\w+/g, '')), `no npm in ${cmd}`);
  const ours = await viaSlipway(dir, cmd);
  const npm = await viaNpm(dir);
  assert.equal(ours.exitCode, 0, ours.stderr);
  assert.equal(npm.exitCode, 0, npm.stderr);
  const [o] = shown(ours.stdout);
  const [n] = shown(npm.stdout);
  assert.deepEqual(o?.env, n?.env);
  assert.equal(o?.env['npm_lifecycle_event'], 'start');
  assert.equal(o?.env['npm_package_config_port'], '8080');
  assert.equal(o?.path0, path.join(dir, 'node_modules/.bin'));
  assert.equal(n?.path0, o?.path0);
  assert.equal(String(o?.pid), /^shell (\d+)$/m.exec(ours.stdout)?.[1], 'node is the shell process itself (exec), nothing resident above it');
});

test('prestart and poststart run around start in order; a failing prestart stops it; quotes and $ survive', async (t) => {
  const scripts = {
    prestart: 'say pre "$npm_lifecycle_event"',
    start: `say "it's" '$HOME stays literal' && node show.js`,
    poststart: 'echo post $npm_lifecycle_event',
  };
  const dir = await appDir(t, { name: 'hooks', version: '0.0.1', scripts });
  const cmd = await webCommand(dir);
  assert.ok(cmd);
  const ours = await viaSlipway(dir, cmd);
  const npm = await viaNpm(dir);
  const lines = (s: string): string[] => s.split('\n').filter((l) => l && !l.startsWith('shell ') && !l.startsWith('{'));
  assert.deepEqual(lines(ours.stdout), ['say: pre prestart', "say: it's $HOME stays literal", 'post poststart']);
  assert.deepEqual(lines(ours.stdout), lines(npm.stdout));
  assert.deepEqual(shown(ours.stdout).map((x) => x.env), shown(npm.stdout).map((x) => x.env));

  const failing = await appDir(t, { name: 'hooks', version: '0.0.1', scripts: { ...scripts, prestart: 'exit 3' } });
  const bad = await viaSlipway(failing, (await webCommand(failing)) ?? '');
  assert.equal(bad.exitCode, 3);
  assert.deepEqual(lines(bad.stdout), [], 'start never ran');
});

test('no start script: server.js is started as npm does; without it there is no web process', async (t) => {
  const dir = await appDir(t, { name: 'plain' }, { 'server.js': SHOW });
  const cmd = await webCommand(dir);
  assert.match(cmd ?? '', /sh -c 'exec node server\.js'$/);
  const [o] = shown((await viaSlipway(dir, cmd ?? '')).stdout);
  const [n] = shown((await viaNpm(dir)).stdout);
  assert.deepEqual(o?.env, n?.env);
  assert.equal(o?.env['npm_lifecycle_script'], 'node server.js');

  const none = await appDir(t, { name: 'lib-only', scripts: { test: 'true' } });
  assert.equal(await webCommand(none), undefined);
});
