import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSlipwayError } from '../lib/index.js';
import { BUILTIN_ORDER, builtinRefs, parseBuildpackRef } from './index.js';
import { cloneArgvs } from './resolve.js';
import { withExports } from './step.js';

test('parseBuildpackRef: built-in names and heroku aliases', () => {
  for (const name of BUILTIN_ORDER) assert.deepEqual(parseBuildpackRef(name), { kind: 'builtin', spec: name, name });
  assert.deepEqual(parseBuildpackRef('heroku/nodejs'), { kind: 'builtin', spec: 'heroku/nodejs', name: 'nodejs' });
  assert.deepEqual(parseBuildpackRef('heroku/python'), { kind: 'builtin', spec: 'heroku/python', name: 'python' });
  assert.deepEqual(builtinRefs().map((r) => r.name), ['function', 'nodejs', 'python', 'perl', 'static', 'procfile']);
});

test('parseBuildpackRef: absolute paths are normalised', () => {
  assert.deepEqual(parseBuildpackRef('/opt/bps/hello/'), { kind: 'path', spec: '/opt/bps/hello/', path: '/opt/bps/hello' });
  assert.deepEqual(parseBuildpackRef('/opt/bps/../x'), { kind: 'path', spec: '/opt/bps/../x', path: '/opt/x' });
});

test('parseBuildpackRef: git URLs with and without #ref', () => {
  assert.deepEqual(parseBuildpackRef('https://github.com/heroku/heroku-buildpack-nodejs.git'), {
    kind: 'git',
    spec: 'https://github.com/heroku/heroku-buildpack-nodejs.git',
    url: 'https://github.com/heroku/heroku-buildpack-nodejs.git',
    name: 'heroku-buildpack-nodejs',
  });
  assert.deepEqual(parseBuildpackRef('https://example.com/bp.git#v1.2.3'), {
    kind: 'git', spec: 'https://example.com/bp.git#v1.2.3', url: 'https://example.com/bp.git', ref: 'v1.2.3', name: 'bp',
  });
  assert.equal(parseBuildpackRef('git://example.com/x/y#release/2024').ref, 'release/2024');
  assert.equal(parseBuildpackRef('file:///srv/bps/hello.git#main').url, 'file:///srv/bps/hello.git');
  assert.equal(parseBuildpackRef('http://example.com/bp').kind, 'git');
});

test('parseBuildpackRef: everything else is E_BUILDPACK_INVALID with a hint', () => {
  const bad = [
    '', 'relative/path', './bp', '../bp', 'nodejs ', ' nodejs', 'node js', '/opt/with space', '/opt/tab\tx',
    '-https://example.com/x', '--upload-pack=touch /tmp/x', 'git@github.com:heroku/bp.git', 'user@host:bp',
    'ssh://git@github.com/x/y', 'ext::sh -c touch% /tmp/pwned', 'ftp://example.com/bp', 'heroku/ruby',
    'https://example.com/bp#-evil', 'https://example.com/bp#a..b', 'https://example.com/bp#$(touch x)',
    'https://example.com/bp#', 'https://', 'NODEJS', 'line\nbreak',
  ];
  for (const input of bad) {
    assert.throws(
      () => parseBuildpackRef(input),
      (err: unknown) => isSlipwayError(err) && err.code === 'E_BUILDPACK_INVALID' && /absolute path/.test(err.hint ?? ''),
      `should refuse ${JSON.stringify(input)}`,
    );
  }
});

test('cloneArgvs: shallow clone of a branch or tag, full clone + checkout for a commit', () => {
  assert.deepEqual(cloneArgvs('https://h/x.git', undefined, '/w/0'), [['git', 'clone', '--quiet', '--depth', '1', '--', 'https://h/x.git', '/w/0']]);
  assert.deepEqual(cloneArgvs('https://h/x.git', 'v2', '/w/0'), [['git', 'clone', '--quiet', '--depth', '1', '--branch', 'v2', '--', 'https://h/x.git', '/w/0']]);
  const sha = 'a'.repeat(40);
  assert.deepEqual(cloneArgvs('https://h/x.git', sha, '/w/0'), [
    ['git', 'clone', '--quiet', '--', 'https://h/x.git', '/w/0'],
    ['git', '-C', '/w/0', 'checkout', '--quiet', sha],
  ]);
});

test('withExports: constant script, files and command only as arguments', () => {
  const cmd = ['/bps/b/bin/compile', '/app', '/cache', '/env'];
  assert.deepEqual(withExports([], cmd), cmd);
  const evil = '/bps/$(touch pwned)"; rm -rf /;"/export';
  const argv = withExports(['/bps/a/export', evil], cmd);
  assert.equal(argv[0], 'bash');
  assert.equal(argv[1], '-c');
  const script = argv[2] ?? '';
  assert.ok(!script.includes('/bps/'), 'no path is pasted into the script');
  assert.deepEqual(argv.slice(3), ['bash', '2', '/bps/a/export', evil, ...cmd]);
  assert.equal(withExports(['/x/export'], cmd)[2], script, 'the script text never changes');
});
