import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { test, type TestContext } from 'node:test';
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { packDirectory } from './pack-dir.js';

interface Listed {
  type: string;
  mode: number;
  linkname: string | null;
  body: string;
}

function tmp(t: TestContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-pack-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), body);
  }
}

/** Packs dir and reads the result back with tar-stream: name → what was stored. */
async function packAndList(dir: string): Promise<{ result: { files: number; bytes: number }; gz: Buffer; entries: Map<string, Listed> }> {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  const result = await packDirectory(dir, out);
  assert.ok(out.writableEnded, 'the output is ended');
  const gz = Buffer.concat(chunks);
  const extract = tar.extract();
  extract.end(gunzipSync(gz));
  const entries = new Map<string, Listed>();
  for await (const entry of extract) {
    const parts: Buffer[] = [];
    for await (const c of entry) parts.push(c as Buffer);
    const { name, type, mode, linkname } = entry.header;
    entries.set(name, { type, mode, linkname, body: Buffer.concat(parts).toString('utf8') });
  }
  return { result, gz, entries };
}

function git(...args: string[]): void {
  execFileSync('git', args, { stdio: 'ignore' });
}

test('outside git: everything but .git/ and node_modules/, links kept as links, fifos skipped', async (t) => {
  const dir = tmp(t);
  writeTree(dir, {
    'app.js': 'console.log(1)',
    'bin/start': '#!/bin/sh\n',
    'café/naïve.txt': 'u',
    'src/+page.svelte': 'p',
    'node_modules/dep/index.js': 'no',
    'packages/a/node_modules/dep/index.js': 'no',
    '.git/config': 'no',
  });
  chmodSync(path.join(dir, 'bin/start'), 0o750);
  symlinkSync('/etc', path.join(dir, 'etc'));
  symlinkSync('bin/start', path.join(dir, 'run'));
  execFileSync('mkfifo', [path.join(dir, 'pipe')]);
  const { result, gz, entries } = await packAndList(dir);
  assert.deepEqual([gz[0], gz[1]], [0x1f, 0x8b]);
  assert.deepEqual([...entries.keys()].sort(), [
    'app.js', 'bin/', 'bin/start', 'café/', 'café/naïve.txt', 'etc', 'packages/', 'packages/a/', 'run', 'src/', 'src/+page.svelte',
  ]);
  assert.deepEqual(result, { files: 6, bytes: 14 + 10 + 1 + 1 });
  assert.equal(entries.get('bin/start')?.mode, 0o755);
  assert.equal(entries.get('app.js')?.mode, 0o644);
  assert.equal(entries.get('café/naïve.txt')?.body, 'u');
  assert.deepEqual(entries.get('etc'), { type: 'symlink', mode: 0o644, linkname: '/etc', body: '' });
  assert.equal(entries.get('run')?.linkname, 'bin/start');
});

test('inside git: ls-files decides, so .gitignore applies and untracked files come along', async (t) => {
  const dir = tmp(t);
  git('init', '-q', dir);
  writeTree(dir, {
    '.gitignore': 'secret.env\ndist/\n',
    'app.js': 'tracked',
    'gone.js': 'deleted after add',
    'new.js': 'untracked',
    'secret.env': 'no',
    'dist/out.js': 'no',
    'node_modules/dep/index.js': 'not ignored, so included',
  });
  git('-C', dir, 'add', 'app.js', 'gone.js', '.gitignore');
  unlinkSync(path.join(dir, 'gone.js'));
  const { entries } = await packAndList(dir);
  assert.deepEqual([...entries.keys()].sort(), ['.gitignore', 'app.js', 'new.js', 'node_modules/dep/index.js']);
  assert.equal(entries.get('app.js')?.body, 'tracked');
});

test('a subdirectory of a work tree is packed with paths relative to it', async (t) => {
  const dir = tmp(t);
  git('init', '-q', dir);
  writeTree(dir, { 'README.md': 'top', 'services/api/index.js': 'api', 'services/api/lib/x.js': 'x' });
  const { entries } = await packAndList(path.join(dir, 'services/api'));
  assert.deepEqual([...entries.keys()].sort(), ['index.js', 'lib/x.js']);
});
