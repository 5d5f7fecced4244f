import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDpkgStatus, parsePackageList, unmetPins } from './dpkg-status.js';
import { madisonVersions } from './availability.js';
import { explain } from './mmdebstrap.js';
import { defaultRecipe, mmdebstrapArgs, recipeKey } from './recipe.js';
import { debianSourcesFor } from './sources.js';

const DEB822 = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;
const NODESOURCE = `Types: deb
URIs: https://deb.nodesource.com/node_20.x
Suites: nodistro
Components: main
`;

test('stack sources are the machine\'s Debian entries for the suite, other vendors left out', () => {
  const lines = debianSourcesFor('bookworm', [
    { name: 'debian.sources', text: DEB822 },
    { name: 'nodesource.sources', text: NODESOURCE },
    { name: 'google.list', text: 'deb https://packages.cloud.google.com/apt cloud-sdk-bookworm main\n' },
    { name: 'sources.list', text: '# deb http://old/debian bookworm main\ndeb http://mirror.example/debian bookworm main contrib\n' },
  ]);
  const k = '[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]';
  assert.deepEqual(lines, [
    `deb ${k} http://deb.debian.org/debian bookworm main`,
    `deb ${k} http://deb.debian.org/debian bookworm-updates main`,
    `deb ${k} http://deb.debian.org/debian-security bookworm-security main`,
    'deb http://mirror.example/debian bookworm main contrib',
  ]);
  assert.throws(() => debianSourcesFor('trixie', [{ name: 'debian.sources', text: DEB822 }]), { code: 'E_STACK_BUILD_FAILED', message: /no Debian source for trixie/ });
});

test('package lists: names and pins as apt writes them; anything else is refused before mmdebstrap runs', () => {
  assert.deepEqual(parsePackageList('libpq5  imagemagick,tzdata=2025b-0+deb12u1'), [{ name: 'libpq5' }, { name: 'imagemagick' }, { name: 'tzdata', version: '2025b-0+deb12u1' }]);
  assert.deepEqual(parsePackageList(['perl=5.36.0-7+deb12u2', 'libc6=2:1.0']), [{ name: 'perl', version: '5.36.0-7+deb12u2' }, { name: 'libc6', version: '2:1.0' }]);
  for (const bad of ['$(touch x)', '--allow-unauthenticated', 'Foo', 'a=b=c', 'x', 'tzdata=1;rm']) {
    assert.throws(() => parsePackageList(bad), { code: 'E_VALIDATION' }, bad);
  }
});

test('mmdebstrap argv is exact: one element per option, packages and pins in --include, sources last', () => {
  const recipe = { kind: 'run' as const, base: 'bookworm', variant: 'minbase' as const, packages: [{ name: 'tzdata', version: '2025b-0+deb12u1' }, { name: 'libpq5' }] };
  assert.deepEqual(mmdebstrapArgs(recipe, ['deb http://m/debian bookworm main'], '/w/rootfs.tar'), [
    'mmdebstrap', '--mode=root', '--variant=minbase', '--format=tar', '--include=tzdata=2025b-0+deb12u1,libpq5',
    '--aptopt=Acquire::Check-Valid-Until "false"',
    '--dpkgopt=path-exclude=/usr/share/man/*', '--dpkgopt=path-exclude=/usr/share/locale/*',
    '--dpkgopt=path-include=/usr/share/locale/locale.alias', '--dpkgopt=path-exclude=/usr/share/info/*',
    '--', 'bookworm', '/w/rootfs.tar', 'deb http://m/debian bookworm main',
  ]);
});

test('a recipe key changes with packages, pins, sources and tool version, not with package order', () => {
  const tool = { mmdebstrap: 'mmdebstrap 1.3.5', arch: 'x64' };
  const a = defaultRecipe('run');
  const key = recipeKey(a, ['deb x'], tool);
  assert.equal(recipeKey({ ...a, packages: [...a.packages].reverse() }, ['deb x'], tool), key);
  assert.notEqual(recipeKey(defaultRecipe('run', 'bookworm', [{ name: 'libvips42' }]), ['deb x'], tool), key);
  assert.notEqual(recipeKey(defaultRecipe('run', 'bookworm', [{ name: 'tzdata', version: '1' }]), ['deb x'], tool), key);
  assert.notEqual(recipeKey(a, ['deb y'], tool), key);
  assert.notEqual(recipeKey(a, ['deb x'], { ...tool, mmdebstrap: 'mmdebstrap 1.4' }), key);
  assert.ok(defaultRecipe('build').packages.some((p) => p.name === 'build-essential'));
  assert.equal(defaultRecipe('run', 'bookworm', [{ name: 'tzdata', version: '1' }]).packages.filter((p) => p.name === 'tzdata').length, 1);
});

test('dpkg status: installed packages with their source; pins checked against it', () => {
  const status = `Package: libssl3
Status: install ok installed
Architecture: amd64
Source: openssl (3.0.17-1~deb12u2)
Version: 3.0.17-1~deb12u2

Package: gone
Status: deinstall ok config-files
Version: 1

Package: bash
Status: install ok installed
Architecture: amd64
Version: 5.2.15-2+b8
Description: GNU Bourne Again SHell
 multi-line description
`;
  const pkgs = parseDpkgStatus(status);
  assert.deepEqual(pkgs, [
    { name: 'bash', version: '5.2.15-2+b8', architecture: 'amd64', source: 'bash', sourceVersion: '5.2.15-2+b8' },
    { name: 'libssl3', version: '3.0.17-1~deb12u2', architecture: 'amd64', source: 'openssl', sourceVersion: '3.0.17-1~deb12u2' },
  ]);
  assert.deepEqual(unmetPins([{ name: 'bash', version: '5.2.15-2+b8' }, { name: 'libssl3' }], pkgs), []);
  assert.deepEqual(unmetPins([{ name: 'libssl3', version: '3.0.11' }, { name: 'gone', version: '1' }], pkgs), ['libssl3=3.0.11 (installed: 3.0.17-1~deb12u2)', 'gone=1 (installed: none)']);
});

test('apt\'s refusals become errors that name the package', () => {
  assert.equal(explain('E: Unable to locate package libfoo9\n', undefined).code, 'E_STACK_PACKAGE_NOT_FOUND');
  assert.match(explain("E: Version '9' for 'tzdata' was not found\n", undefined).message, /tzdata has no version 9/);
  const other = explain('I: x\nE: mount failed: permission denied\n', undefined);
  assert.equal(other.code, 'E_STACK_BUILD_FAILED');
  assert.match(other.message, /mount failed/);
});

test('apt-cache madison output gives each package its versions', () => {
  const m = madisonVersions('    tzdata | 2026f-0+deb12u1 | http://deb.debian.org/debian-security bookworm-security/main amd64 Packages\n    tzdata | 2025b-0+deb12u1 | http://x bookworm-updates/main amd64 Packages\n   libpq5 | 15.13-0+deb12u1 | http://x bookworm/main amd64 Packages\n');
  assert.deepEqual([...(m.get('tzdata') ?? [])], ['2026f-0+deb12u1', '2025b-0+deb12u1']);
  assert.deepEqual([...(m.get('libpq5') ?? [])], ['15.13-0+deb12u1']);
  assert.equal(m.get('nope'), undefined);
});
