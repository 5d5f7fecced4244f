import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { test, type TestContext } from 'node:test';
import { gzipSync } from 'node:zlib';
import tar, { type Header } from 'tar-stream';
import { packDirectory, SlipwayError } from '../lib/index.js';
import { checkArchive, extractArchive, receiveUpload, DEFAULT_ARCHIVE_LIMITS, type ArchiveLimits } from './archive.js';

type Spec = Partial<Header> & { name: string; body?: string };

const code = (c: string, re?: RegExp) => (e: unknown) =>
  e instanceof SlipwayError && e.code === c && (re === undefined || re.test(e.message));

function tmp(t: TestContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-archive-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Builds a tar in memory with tar-stream's own packer, so headers are what real tools emit. */
async function makeTar(specs: Spec[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const { body, ...header } of specs) {
    if (body === undefined) pack.entry(header);
    else pack.entry(header, body);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function setup(t: TestContext, specs: Spec[]): Promise<{ dir: string; file: string; dest: string }> {
  const dir = tmp(t);
  const file = path.join(dir, 'a.tar');
  const dest = path.join(dir, 'dest');
  writeFileSync(file, await makeTar(specs));
  mkdirSync(dest);
  return { dir, file, dest };
}

const OK: Spec = { name: 'ok.txt', body: 'fine\n' };

/** The archive is refused by both functions and nothing at all was written, in dest or beside it. */
async function refuse(t: TestContext, specs: Spec[], errCode: string, re: RegExp, limits?: ArchiveLimits): Promise<void> {
  const { dir, file, dest } = await setup(t, [OK, ...specs]);
  await assert.rejects(checkArchive(file, limits), code(errCode, re));
  await assert.rejects(extractArchive(file, dest, limits), code(errCode, re));
  assert.deepEqual(readdirSync(dest), []);
  assert.deepEqual(readdirSync(dir).sort(), ['a.tar', 'dest']);
}

const cases: Array<[string, Spec[], RegExp]> = [
  ['absolute path', [{ name: '/abs.txt', body: 'x' }], /"\/abs.txt": path is absolute/],
  ['../evil', [{ name: '../evil', body: 'x' }], /"\.\.\/evil": path leaves the app directory/],
  ['a/../../evil', [{ name: 'a/../../evil', body: 'x' }], /leaves the app directory/],
  ['long pax path escaping', [{ name: '../' + 'x'.repeat(150) + 'é', body: 'x' }], /leaves the app directory/],
  ['symlink to /etc/passwd', [{ name: 'passwd', type: 'symlink', linkname: '/etc/passwd' }], /is absolute/],
  ['symlink ../../x', [{ name: 'sub/up', type: 'symlink', linkname: '../../x' }], /leaves the app directory/],
  ['write through a symlink', [{ name: 'sub/', type: 'directory' }, { name: 'link', type: 'symlink', linkname: 'sub' }, { name: 'link/file', body: 'x' }], /parent "link" is a symlink/],
  ['write through a symlink to outside', [{ name: 'link', type: 'symlink', linkname: '/tmp' }, { name: 'link/file', body: 'x' }], /is absolute/],
  ['symlink escaping via another symlink', [{ name: 's/a', type: 'symlink', linkname: '..' }, { name: 's/b', type: 'symlink', linkname: 'a/..' }], /leaves the app directory/],
  ['symlink loop', [{ name: 'x', type: 'symlink', linkname: 'y' }, { name: 'y', type: 'symlink', linkname: 'x' }], /loop/],
  ['symlink replacing a directory', [{ name: 'd/f', body: 'x' }, { name: 'd', type: 'symlink', linkname: 'ok.txt' }], /more than once/],
  ['file under a file', [{ name: 'f', body: 'x' }, { name: 'f/g', body: 'x' }], /parent "f" is a file/],
  ['duplicate file', [{ name: 'ok.txt', body: 'again' }], /more than once/],
  ['hard link to /etc/passwd', [{ name: 'h', type: 'link', linkname: '/etc/passwd' }], /is absolute/],
  ['hard link to ../x', [{ name: 'h', type: 'link', linkname: '../x' }], /leaves the app directory/],
  ['hard link to a later file', [{ name: 'h', type: 'link', linkname: 'later' }, { name: 'later', body: 'x' }], /not an earlier regular file/],
  ['hard link to a symlink', [{ name: 's', type: 'symlink', linkname: 'ok.txt' }, { name: 'h', type: 'link', linkname: 's' }], /not an earlier regular file/],
  ['character device', [{ name: 'null', type: 'character-device', devmajor: 1, devminor: 3 }], /type character-device/],
  ['block device', [{ name: 'sda', type: 'block-device', devmajor: 8, devminor: 0 }], /type block-device/],
  ['fifo', [{ name: 'pipe', type: 'fifo' }], /type fifo/],
  ['contiguous file', [{ name: 'c', type: 'contiguous-file', body: 'x' }], /type contiguous-file/],
  ['NUL in a pax path', [{ name: 'a\0b-é', body: 'x' }], /NUL/],
  ['empty name', [{ name: '', body: 'x' }], /empty path/],
  ['a name longer than NAME_MAX', [{ name: 'd/' + 'n'.repeat(256), body: 'x' }], /component longer than 255 bytes/],
  ['a path longer than PATH_MAX', [{ name: 'd/'.repeat(2100) + 'f', body: 'x' }], /longer than 4095 bytes/],
  ['a symlink target longer than PATH_MAX', [{ name: 'l', type: 'symlink', linkname: 'x/'.repeat(2100) }], /symlink target is longer/],
  ['the app directory as a file', [{ name: '.', type: 'file', body: 'x' }], /app directory itself/],
];

for (const [what, specs, re] of cases) {
  test(`refused: ${what}`, async (t) => refuse(t, specs, 'E_ARCHIVE_INVALID', re));
}

test('refused: too many entries, too many bytes, one file too big', async (t) => {
  const five = [1, 2, 3, 4].map((n) => ({ name: `f${n}`, body: 'x' }));
  await refuse(t, five, 'E_ARCHIVE_TOO_LARGE', /maxEntries/, { ...DEFAULT_ARCHIVE_LIMITS, maxEntries: 3 });
  const big = [{ name: 'a', body: 'x'.repeat(60) }, { name: 'b', body: 'x'.repeat(60) }];
  await refuse(t, big, 'E_ARCHIVE_TOO_LARGE', /maxBytes/, { ...DEFAULT_ARCHIVE_LIMITS, maxBytes: 100 });
  await refuse(t, [{ name: 'c', body: 'x'.repeat(20) }], 'E_ARCHIVE_TOO_LARGE', /maxFileBytes/, { ...DEFAULT_ARCHIVE_LIMITS, maxFileBytes: 10 });
});

test('refused: not a tar, and a truncated tar', async (t) => {
  const { dir, dest } = await setup(t, []);
  const junk = path.join(dir, 'junk.tar');
  writeFileSync(junk, 'x'.repeat(2048));
  await assert.rejects(extractArchive(junk, dest), code('E_ARCHIVE_INVALID', /not a valid tar/));
  const whole = await makeTar([{ name: 'a', body: 'y'.repeat(5000) }]);
  writeFileSync(junk, whole.subarray(0, 2048));
  await assert.rejects(extractArchive(junk, dest), code('E_ARCHIVE_INVALID', /not a valid tar/));
  assert.deepEqual(readdirSync(dest), []);
});

test('a destination that is not empty is refused', async (t) => {
  const { file, dest } = await setup(t, [OK]);
  writeFileSync(path.join(dest, 'already'), '');
  await assert.rejects(extractArchive(file, dest), code('E_INTERNAL', /not empty/));
});

test('legitimate odd names, modes, symlinks and hard links extract', async (t) => {
  const deep = 'deep/'.repeat(30) + 'file.txt';
  const { file, dest } = await setup(t, [
    { name: './', type: 'directory' },
    { name: './lead.txt', body: 'lead' },
    { name: 'src/routes/+page.svelte', body: '<h1>hi</h1>' },
    { name: '+layout.svelte', body: '' },
    { name: 'with space.txt', body: 'space' },
    { name: 'café/naïve.txt', body: 'unicode' },
    { name: 'bin/run', body: '#!/bin/sh\n', mode: 0o4775 },
    { name: 'secret', body: 's', mode: 0o600 },
    { name: 'a/../b.txt', body: 'b' },
    { name: deep, body: 'deep' },
    { name: 'current', type: 'symlink', linkname: 'bin/run' },
    { name: 'sub/up', type: 'symlink', linkname: '../with space.txt' },
    { name: 'copy', type: 'link', linkname: 'bin/run' },
  ]);
  const summary = await extractArchive(file, dest);
  assert.deepEqual(summary, { entries: 13, bytes: 4 + 11 + 5 + 7 + 10 + 1 + 1 + 4 });
  const read = (p: string) => readFileSync(path.join(dest, p), 'utf8');
  assert.equal(read('lead.txt'), 'lead');
  assert.equal(read('src/routes/+page.svelte'), '<h1>hi</h1>');
  assert.equal(read('+layout.svelte'), '');
  assert.equal(read('with space.txt'), 'space');
  assert.equal(read('café/naïve.txt'), 'unicode');
  assert.equal(read('b.txt'), 'b');
  assert.equal(read(deep), 'deep');
  assert.equal(statSync(path.join(dest, 'bin/run')).mode & 0o7777, 0o755);
  assert.equal(statSync(path.join(dest, 'secret')).mode & 0o7777, 0o644);
  assert.equal(readlinkSync(path.join(dest, 'current')), 'bin/run');
  assert.equal(read('sub/up'), 'space');
  assert.equal(statSync(path.join(dest, 'copy')).ino, statSync(path.join(dest, 'bin/run')).ino);
  assert.ok(!existsSync(path.join(dest, 'a')), 'a/../b.txt does not need a/');
});

test('receiveUpload stores a plain tar and gunzips a gzip one', async (t) => {
  const dir = tmp(t);
  const body = await makeTar([OK]);
  assert.equal(await receiveUpload(Readable.from([body]), path.join(dir, 'plain.tar'), 1 << 20), body.length);
  assert.deepEqual(readFileSync(path.join(dir, 'plain.tar')), body);
  const gz = gzipSync(body);
  // The magic split across chunks must still be recognised.
  const chunks = [gz.subarray(0, 1), gz.subarray(1, 5), gz.subarray(5)];
  assert.equal(await receiveUpload(Readable.from(chunks), path.join(dir, 'gz.tar'), 1 << 20), body.length);
  assert.deepEqual(readFileSync(path.join(dir, 'gz.tar')), body);
});

test('receiveUpload refuses a gzip bomb, an oversized body and broken gzip, leaving no file', async (t) => {
  const dir = tmp(t);
  const file = path.join(dir, 'up.tar');
  const bomb = gzipSync(Buffer.alloc(20 << 20));
  assert.ok(bomb.length < 1 << 20, 'the bomb itself is under the limit');
  const bombBody = Readable.from([bomb]);
  await assert.rejects(receiveUpload(bombBody, file, 1 << 20), code('E_ARCHIVE_TOO_LARGE'));
  assert.ok(bombBody.destroyed);
  assert.ok(!existsSync(file));
  await assert.rejects(receiveUpload(Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), file, 1000), code('E_ARCHIVE_TOO_LARGE'));
  assert.ok(!existsSync(file));
  await assert.rejects(receiveUpload(Readable.from([Buffer.from([0x1f, 0x8b, 1, 2, 3, 4])]), file, 1000), code('E_ARCHIVE_INVALID', /gzip/));
  assert.deepEqual(readdirSync(dir), []);
});

test('receiveUpload never overwrites an existing file', async (t) => {
  const file = path.join(tmp(t), 'up.tar');
  writeFileSync(file, 'mine');
  const body = Readable.from([Buffer.from('x')]);
  await assert.rejects(receiveUpload(body, file, 1000), /EEXIST/);
  assert.ok(body.destroyed);
  assert.equal(readFileSync(file, 'utf8'), 'mine');
});

/** packDirectory → receiveUpload → extractArchive, as `slipway deploy ./dir` and the daemon do. */
async function roundTrip(t: TestContext, src: string): Promise<string> {
  const dir = tmp(t);
  const file = path.join(dir, 'up.tar');
  const dest = path.join(dir, 'dest');
  mkdirSync(dest);
  const wire = new PassThrough();
  await Promise.all([packDirectory(src, wire), receiveUpload(wire, file, 1 << 20)]);
  await extractArchive(file, dest);
  return dest;
}

function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), body);
  }
}

function listTree(root: string): string[] {
  return (readdirSync(root, { recursive: true }) as string[]).filter((p) => !lstatSync(path.join(root, p)).isDirectory()).sort();
}

test('round trip of a plain directory', async (t) => {
  const src = tmp(t);
  writeTree(src, { 'app.js': 'ok', 'bin/run': '#!/bin/sh\n', 'café/naïve.txt': 'u', 'node_modules/x/index.js': 'no', '.git/junk': 'no' });
  chmodSync(path.join(src, 'bin/run'), 0o755);
  symlinkSync('bin/run', path.join(src, 'start'));
  const dest = await roundTrip(t, src);
  assert.deepEqual(listTree(dest), ['app.js', 'bin/run', 'café/naïve.txt', 'start']);
  assert.equal(statSync(path.join(dest, 'bin/run')).mode & 0o777, 0o755);
  assert.equal(readlinkSync(path.join(dest, 'start')), 'bin/run');
  assert.equal(readFileSync(path.join(dest, 'café/naïve.txt'), 'utf8'), 'u');
});

test('round trip of a git work tree honours .gitignore and keeps untracked files', async (t) => {
  const src = tmp(t);
  execFileSync('git', ['init', '-q', src], { stdio: 'ignore' });
  writeTree(src, { '.gitignore': 'secret.txt\nbuild/\n', 'app.js': 'tracked', 'new.txt': 'untracked', 'secret.txt': 'no', 'build/out.js': 'no' });
  execFileSync('git', ['-C', src, 'add', 'app.js', '.gitignore'], { stdio: 'ignore' });
  const dest = await roundTrip(t, src);
  assert.deepEqual(listTree(dest), ['.gitignore', 'app.js', 'new.txt']);
  assert.equal(readFileSync(path.join(dest, 'app.js'), 'utf8'), 'tracked');
});
