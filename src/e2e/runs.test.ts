import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { waitFor } from '../lib/index.js';
import { BIN, cleanEnv, Daemon } from '../testkit/index.js';


test('slipway run: output, exit codes 0/1/137, stdin, argv without a shell, detached runs, runs list', async (t) => {
  const d = await Daemon.start(t);
  await d.cli(['apps:create', 'empty']);
  const none = await d.cli(['run', '-a', 'empty', '--', 'true']);
  assert.equal(none.exitCode, 1);
  assert.match(none.stderr, /empty has no release to run yet/);

  await d.appFromFixture(t, 'oneoff', 'web-worker');
  await d.cli(['config:set', '-a', 'oneoff', 'GREETING=from config']);
  const hello = await d.cli(['run', '-a', 'oneoff', '--', 'node', '-e', 'console.log(process.env.GREETING, process.env.SLIPWAY_PROCESS); console.error("err line")']);
  assert.equal(hello.exitCode, 0, hello.stderr);
  assert.equal(hello.stdout, 'from config run.1\n');
  assert.match(hello.stderr, /err line/);
  assert.equal((await d.cli(['run', '-a', 'oneoff', '--', 'sh', '-c', 'exit 1'])).exitCode, 1);
  assert.equal((await d.cli(['run', '-a', 'oneoff', '--', 'sh', '-c', 'kill -9 $$'])).exitCode, 137);
  const piped = await d.cli(['run', '-a', 'oneoff', '--', 'sh', '-c', 'tr a-z A-Z'], { input: 'piped in\n' });
  assert.equal(piped.stdout, 'PIPED IN\n');
  const literal = await d.cli(['run', '-a', 'oneoff', '--', 'echo', '$(touch /tmp/x); `id`', '$GREETING']);
  assert.equal(literal.stdout, '$(touch /tmp/x); `id` $GREETING\n', 'the argv is run as given, with no shell');

  // long enough that the next CLI call sees it running on a busy machine (one CLI start can take seconds there)
  const det = await d.cli(['run', '-a', 'oneoff', '--detach', '--', 'sh', '-c', 'echo detached output; sleep 8']);
  assert.equal(det.exitCode, 0, det.stderr);
  assert.match(det.stderr, /up, run\.6/);
  const ps = JSON.parse((await d.cli(['ps', '-a', 'oneoff', '--json'])).stdout) as { instances: { name: string }[] };
  assert.ok(ps.instances.some((i) => i.name === 'run.6'), 'a detached run shows in ps while it runs');
  await waitFor(async () => /app\[run\.6\]: detached output/.test((await d.cli(['logs', '-a', 'oneoff', '--ps', 'run.6'])).stdout), { timeoutMs: 10_000, what: 'detached output in the logs' });
  await waitFor(async () => (JSON.parse((await d.cli(['runs', '-a', 'oneoff', '--json'])).stdout) as { name: string; exit_code: number | null }[])[0]?.exit_code === 0, { timeoutMs: 60_000, what: 'run.6 to finish' });
  const runs = JSON.parse((await d.cli(['runs', '-a', 'oneoff', '--json'])).stdout) as { name: string; exit_code: number | null; signal: string | null; release: string }[];
  assert.deepEqual(runs.map((r) => `${r.name} ${r.exit_code ?? r.signal}`), ['run.6 0', 'run.5 0', 'run.4 0', 'run.3 137', 'run.2 1', 'run.1 0']);
  assert.equal(runs[0]?.release, 'v3');

  const timed = await d.cli(['run', '-a', 'oneoff', '--timeout', '1s', '--', 'sleep', '30']);
  assert.notEqual(timed.exitCode, 0);
  assert.equal((await d.cli(['run', '-a', 'oneoff', '--timeout', 'soon', '--', 'true'])).exitCode, 2);
});

test('slipway run in a terminal gets a real TTY; Ctrl-C ends a piped run', async (t) => {
  const d = await Daemon.start(t);
  await d.appFromFixture(t, 'ttyapp', 'web-worker');
  const env = cleanEnv({ SLIPWAY_URL: d.info.api, SLIPWAY_TOKEN: d.token, XDG_CONFIG_HOME: d.configHome });
  // script(1) gives the CLI a pseudo-terminal, as a person's terminal would
  const out = await new Promise<{ code: number | null; text: string }>((resolve) => {
    const child = spawn('script', ['-qefc', `${process.execPath} ${BIN} run -a ttyapp bash`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (b: Buffer) => (text += b.toString()));
    setTimeout(() => child.stdin.write('tty; exit 5\n'), 1500);
    child.on('close', (code) => resolve({ code, text }));
  });
  assert.match(out.text, /\/dev\/pts\/\d+/, out.text);
  assert.equal(out.code, 5);

  const sleeper = spawn(process.execPath, [BIN, 'run', '-a', 'ttyapp', '--', 'sh', '-c', 'trap "echo got INT; exit 130" INT; echo ready; while :; do sleep 0.1; done'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  sleeper.stdout.on('data', (b: Buffer) => (text += b.toString()));
  await waitFor(() => text.includes('ready'), { timeoutMs: 15_000, what: 'the run to start' });
  sleeper.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => sleeper.on('close', resolve));
  assert.equal(code, 130);
  assert.match(text, /got INT/);

  // a client that vanishes (kill -9) does not leave its run behind
  const orphan = spawn(process.execPath, [BIN, 'run', '-a', 'ttyapp', '--', 'sh', '-c', 'echo ready; while :; do sleep 0.1; done'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let otext = '';
  orphan.stdout.on('data', (b: Buffer) => (otext += b.toString()));
  await waitFor(() => otext.includes('ready'), { timeoutMs: 15_000, what: 'the second run to start' });
  orphan.kill('SIGKILL');
  await waitFor(async () => (JSON.parse((await d.cli(['runs', '-a', 'ttyapp', '--json'])).stdout) as { finished_at: string | null }[]).every((r) => r.finished_at !== null), { timeoutMs: 15_000, what: 'the abandoned run to be stopped' });
});
