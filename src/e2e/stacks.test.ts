import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { run } from '../lib/index.js';
import { BIN, cleanEnv, Daemon, tempDir } from '../testkit/index.js';

/** The CLI with a long deadline: a stack build takes minutes the first time on a machine. */
function cli(d: Daemon, args: string[]) {
  const env = cleanEnv({ SLIPWAY_URL: d.info.api, SLIPWAY_TOKEN: d.token, XDG_CONFIG_HOME: d.configHome });
  return run([process.execPath, BIN, ...args], { env, allowFailure: true, timeoutMs: 30 * 60_000 });
}

test('stacks through the CLI: bad input is refused clearly and leaves the cache empty', async (t) => {
  const cache = tempDir(t, 'slipway-stack-cache-');
  const d = await Daemon.start(t, { args: ['--stack-cache', cache] });

  const empty = await cli(d, ['stacks']);
  assert.equal(empty.exitCode, 0, empty.stderr);
  assert.equal(empty.stdout, '');
  assert.match(empty.stderr, /no stacks yet/);
  assert.deepEqual(JSON.parse((await cli(d, ['stacks', '--json'])).stdout), []);

  const unknown = await cli(d, ['stacks:sbom', 'bookworm-run-000000000000']);
  assert.equal(unknown.exitCode, 1);
  assert.match(unknown.stderr, /error: stack bookworm-run-000000000000 does not exist\nhint: run `slipway stacks`/);

  const injected = await cli(d, ['stacks:build', '--packages', 'libpq5 $(touch /tmp/x)']);
  assert.equal(injected.exitCode, 1);
  assert.match(injected.stderr, /error: packages\[1\]: "\$\(touch" is not a Debian package name/);

  const missing = await cli(d, ['stacks:build', '--packages', 'no-such-package-slipway']);
  assert.equal(missing.exitCode, 1, missing.stderr);
  assert.match(missing.stderr, /error: package no-such-package-slipway does not exist in the configured Debian sources\nhint: check the name with `apt-cache policy NAME`/);
  const pin = await cli(d, ['stacks:build', '--packages', 'tzdata=0.0-slipway']);
  assert.equal(pin.exitCode, 1, pin.stderr);
  assert.match(pin.stderr, /error: package tzdata has no version 0.0-slipway in the configured Debian sources/);

  assert.deepEqual(JSON.parse((await cli(d, ['stacks', '--json'])).stdout), []);
  assert.deepEqual(readdirSync(path.join(cache, 'stacks')), []);
  assert.deepEqual(existsSync(path.join(cache, 'work')) ? readdirSync(path.join(cache, 'work')) : [], [], 'no half-built stack left');
});
