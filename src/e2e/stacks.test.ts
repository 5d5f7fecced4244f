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

test('stacks:build makes the default run stack once per machine; stacks lists it; stacks:sbom describes it', async (t) => {
  // The machine-wide cache: the first run on a machine builds (minutes), later runs and other homes reuse it.
  const d = await Daemon.start(t, { args: [] });
  const built = await cli(d, ['stacks:build']);
  assert.equal(built.exitCode, 0, built.stderr);
  const id = built.stdout.trim();
  assert.match(id, /^bookworm-run-[0-9a-f]{12}$/);
  assert.match(built.stderr, new RegExp(`(Built stack|Stack) ${id}`));

  const again = await cli(d, ['stacks:build']);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.equal(again.stdout.trim(), id);
  assert.match(again.stderr, /was already built/);

  const list = await cli(d, ['stacks']);
  assert.match(list.stdout, /^ID\s+KIND\s+BASE\s+CREATED\s+PACKAGES\s+UPDATE\n/);
  assert.match(list.stdout, new RegExp(`\\n${id}\\s+run\\s+bookworm\\s+\\S+\\s+\\d+\\s`));

  const spdx = JSON.parse((await cli(d, ['stacks:sbom', id])).stdout) as { spdxVersion: string; packages: { name: string }[] };
  assert.equal(spdx.spdxVersion, 'SPDX-2.3');
  const cdx = JSON.parse((await cli(d, ['stacks:sbom', id, '--format', 'cyclonedx'])).stdout) as { components: { name: string; purl: string }[] };
  for (const name of ['libc6', 'ca-certificates', 'tzdata', 'python3', 'perl', 'libssl3']) {
    assert.ok(cdx.components.some((c) => c.name === name), `${name} in the SBOM`);
    assert.ok(spdx.packages.some((p) => p.name === name), `${name} in the SPDX document`);
  }
  assert.match(cdx.components.find((c) => c.name === 'libssl3')?.purl ?? '', /^pkg:deb\/debian\/libssl3@[^?]+\?arch=amd64&distro=debian-12$/);
});
