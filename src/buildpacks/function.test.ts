// The function buildpack: detect a bare handler file, check its shape at build time,
// and serve it with the vendored runtime over real HTTP.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { spawn } from 'node:child_process';
import { FUNCTION_WEB_COMMANDS } from './index.js';
import { build, httpGet, waitForHttp, workspace } from '../testkit/index.js';
import { freePort, run, waitFor } from '../lib/index.js';
import { builtinDir } from './resolve.js';

test('a handler file is detected, checked, and served: GET, POST body, headers, and a throwing handler gives 500 with the stack in the logs', async (t) => {
  const ws = await workspace(t, 'function-hello');
  const { result, log } = await build(ws);
  assert.ok(log.includes('-----> Function app detected'), log.join('\n'));
  assert.ok(log.some((l) => /default export has fetch\(request\)/.test(l)));
  assert.deepEqual(result.defaultProcessTypes, { web: FUNCTION_WEB_COMMANDS[0] }, 'the command the platform recognises functions by');

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // its stderr is the app's log: keep it to look for the stack
  const proc = spawn('node', ['.slipway/function-runtime.mjs'], { cwd: ws.buildDir, env: { PATH: process.env['PATH'] ?? '', PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  t.after(() => proc.kill('SIGKILL'));
  let stderr = '';
  proc.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  await waitForHttp(port);
  const get = await httpGet(`${base}/hi`);
  assert.equal(get.status, 200);
  assert.equal(get.body, 'hello from a function GET /hi\n');
  assert.equal(get.headers['x-fn'], 'yes');
  const post = await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', body: 'payload' });
  assert.equal(post.status, 200);
  assert.equal(await post.text(), 'hello from a function POST /echo payload\n', 'the request body reaches the handler');
  const boom = await httpGet(`${base}/boom`);
  assert.equal(boom.status, 500);
  assert.equal(boom.body, 'Internal Server Error\n', 'no stack in the response');
  await new Promise((r) => setTimeout(r, 100));
  assert.match(stderr, /Error: kaboom from the handler\n\s+at /, 'the stack goes to the logs');
});

test('a handler without a fetch export fails the build, showing the expected shape', async (t) => {
  for (const [file, body, why] of [
    ['handler.mjs', 'export const notIt = 1;\n', /handler\.mjs has no default export/],
    ['handler.js', 'export default 42;\n', /handler\.js exports number as default/],
  ] as const) {
    const ws = await workspace(t);
    await writeFile(path.join(ws.buildDir, file), body);
    await assert.rejects(build(ws), (err: Error & { buildLog?: string[] }) => {
      assert.match(err.message, /function buildpack failed to compile/);
      const log = (err.buildLog ?? []).join('\n');
      assert.match(log, why);
      assert.match(log, /export default \{ fetch\(request\) \{ return new Response\("hi"\) \} \}/);
      return true;
    });
  }
});

test('handler.ts: builds where Node strips types, else the build says what is missing', async (t) => {
  const ws = await workspace(t);
  await writeFile(path.join(ws.buildDir, 'handler.ts'), 'export default { fetch(request: Request): Response { return new Response(`typed ${new URL(request.url).pathname}`); } };\n');
  const strips = (process.features as { typescript?: string | false }).typescript;
  if (strips) {
    const { log } = await build(ws);
    assert.ok(log.some((l) => /default export has fetch\(request\)/.test(l)), log.join('\n'));
    return;
  }
  // Node 20 (this project's floor) has no TypeScript loader
  await assert.rejects(build(ws), (err: Error & { buildLog?: string[] }) => {
    const log = (err.buildLog ?? []).join('\n');
    assert.match(log, /-----> Function app detected/);
    assert.match(log, /handler\.ts is TypeScript, and this server's Node \(v\d+\.\d+\.\d+\) has no TypeScript loader: Node 22\.18 or later strips types by itself/);
    assert.match(log, /Rename it to handler\.mjs/);
    return true;
  });
});

test('a function with a Procfile or a start script is not a function app', async (t) => {
  const ws = await workspace(t, 'function-hello');
  await writeFile(path.join(ws.buildDir, 'package.json'), JSON.stringify({ scripts: { start: 'node server.js' } }));
  const { log } = await build(ws);
  assert.ok(log.includes('-----> Node.js app detected'), log.join('\n'));
});

test('handler.pl: a Lambda-style handler is checked at build time and served by plackup; a handler that is no code ref fails the build', async (t) => {
  const ws = await workspace(t, 'function-perl');
  const { result, log } = await build(ws);
  assert.ok(log.some((l) => /handler\.pl returns a code ref called with the PSGI env/.test(l)), log.join('\n'));
  assert.deepEqual(result.defaultProcessTypes, { web: FUNCTION_WEB_COMMANDS[1] });
  const port = await freePort();
  const proc = spawn('plackup', ['--port', String(port), '.slipway/function-runtime.psgi'], { cwd: ws.buildDir, env: { PATH: process.env['PATH'] ?? '' }, stdio: ['ignore', 'ignore', 'pipe'] });
  t.after(() => proc.kill('SIGKILL'));
  let stderr = '';
  proc.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  await waitForHttp(port);
  const hi = await httpGet(`http://127.0.0.1:${port}/hi`);
  assert.deepEqual([hi.status, hi.body, hi.headers['x-fn']], [200, 'hello from handler.pl GET /hi\n', 'perl']);
  const boom = await httpGet(`http://127.0.0.1:${port}/boom`);
  assert.deepEqual([boom.status, boom.body], [500, 'internal error\n']);
  await waitFor(() => stderr.includes('handler.pl died: kaboom from handler.pl'), { timeoutMs: 5000, what: 'the error in the log' });

  const bad = await workspace(t);
  await writeFile(path.join(bad.buildDir, 'handler.pl'), '42;\n');
  await assert.rejects(build(bad), (err: Error & { buildLog?: string[] }) => {
    assert.match((err.buildLog ?? []).join('\n'), /handler\.pl must end with a code ref/);
    return true;
  });
});

test('handler.pl shapes: a PSGI $app, sub handler returning a string, a Lambda-style hash, each turned into a PSGI response', async (t) => {
  const dir = await workspace(t);
  const shapes: [string, string][] = [
    ['our $app = sub { my $env = shift; [201, ["X-A", "1"], ["psgi $env->{PATH_INFO}"]] };\n1;\n', '[201,["X-A","1"],["psgi /p"]]'],
    ['sub handler { my $env = shift; "plain $env->{PATH_INFO}" }\n1;\n', '[200,["Content-Type","text/plain; charset=utf-8"],["plain /p"]]'],
    ['sub { +{ statusCode => 404, body => { missing => $_[0]{PATH_INFO} } } };\n', '[404,["Content-Type","text/plain; charset=utf-8"],["{\\"missing\\":\\"/p\\"}"]]'],
  ];
  for (const [source, expected] of shapes) {
    const file = path.join(dir.buildDir, 'handler.pl');
    await writeFile(file, source);
    const r = await run(['perl', `-I${path.join(builtinDir('function'), 'lib')}`, '-MSlipway::FunctionHandler', '-MJSON::PP', '-e', 'print JSON::PP->new->canonical->encode(Slipway::FunctionHandler::to_psgi(Slipway::FunctionHandler::load(shift)->({ PATH_INFO => "/p" })))', file]);
    assert.equal(r.stdout, expected, source);
  }
});
