import { createReadStream, type Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Header, Pack } from 'tar-stream';
import { run } from './exec.js';

export interface PackResult {
  /** Regular files and symlinks written (directories not counted). */
  files: number;
  bytes: number;
}

// Never worth uploading: the repository itself and installed dependencies,
// which the buildpack installs again for the server's platform.
const SKIP_NAMES = new Set(['.git', 'node_modules']);

/**
 * Writes a gzip-compressed tar of dir to out (and ends out). Inside a git work
 * tree it holds exactly what git would track (`ls-files --cached --others
 * --exclude-standard`, so .gitignore applies and new files are included);
 * elsewhere everything except .git/ and node_modules/. Symlinks are stored as
 * links, never followed; sockets and fifos are skipped.
 */
export async function packDirectory(dir: string, out: NodeJS.WritableStream): Promise<PackResult> {
  const root = path.resolve(dir);
  const paths = (await isGitWorkTree(root)) ? await gitFiles(root) : await walk(root, '');
  // Loaded here, not at the top: lib/index.ts is on every CLI command's path and only `deploy` packs.
  const [{ default: tar }, { createGzip }] = await Promise.all([import('tar-stream'), import('node:zlib')]);
  const pack = tar.pack();
  const producer = addAll(pack, root, paths).then(
    (totals) => {
      pack.finalize();
      return totals;
    },
    (err: unknown) => {
      // Destroying the pack fails the pipeline below too, so both promises settle.
      pack.destroy(err instanceof Error ? err : new Error(String(err)));
      throw err;
    },
  );
  // Readable.from adapts tar-stream's streamx stream for Node's pipeline.
  const [totals] = await Promise.all([producer, pipeline(Readable.from(pack), createGzip(), out)]);
  return totals;
}

async function isGitWorkTree(root: string): Promise<boolean> {
  try {
    const res = await run(['git', '-C', root, 'rev-parse', '--is-inside-work-tree'], { allowFailure: true });
    return res.exitCode === 0 && res.stdout.trim() === 'true';
  } catch (err) {
    // No git installed means no work tree to respect; any other failure is real.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

async function gitFiles(root: string): Promise<string[]> {
  const res = await run(['git', '-C', root, 'ls-files', '-z', '--cached', '--others', '--exclude-standard']);
  const listed = new Set(res.stdout.split('\0').filter((p) => p !== ''));
  const paths: string[] = [];
  for (const p of listed) {
    // A nested repository or submodule is listed as one directory: take its files.
    const rel = p.replace(/\/$/, '');
    const st = await lstatIfExists(path.join(root, rel));
    if (st?.isDirectory()) paths.push(rel, ...(await walk(root, rel)));
    else paths.push(rel);
  }
  return paths;
}

/** Paths under root/rel, parents before children, sorted so archives are reproducible. */
async function walk(root: string, rel: string): Promise<string[]> {
  const out: string[] = [];
  const dirents = await readdir(path.join(root, rel), { withFileTypes: true });
  dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const d of dirents) {
    if (SKIP_NAMES.has(d.name)) continue;
    const child = rel === '' ? d.name : path.join(rel, d.name);
    out.push(child);
    // Dirent types come from lstat: a symlink to a directory is not descended.
    if (d.isDirectory()) out.push(...(await walk(root, child)));
  }
  return out;
}

async function addAll(pack: Pack, root: string, paths: readonly string[]): Promise<PackResult> {
  const totals: PackResult = { files: 0, bytes: 0 };
  for (const rel of paths) {
    const abs = path.join(root, rel);
    const st = await lstatIfExists(abs);
    if (st === undefined) continue; // tracked by git but deleted in the work tree
    const name = rel.split(path.sep).join('/');
    if (st.isSymbolicLink()) {
      await addEntry(pack, { name, type: 'symlink', linkname: await readlink(abs) });
      totals.files++;
    } else if (st.isFile()) {
      // Only the owner-executable bit matters to the server; keep headers uniform.
      const mode = st.mode & 0o100 ? 0o755 : 0o644;
      await addEntry(pack, { name, type: 'file', size: st.size, mode }, abs);
      totals.files++;
      totals.bytes += st.size;
    } else if (st.isDirectory()) {
      // Trailing slash as GNU and BSD tar write it, so old readers see a directory too.
      await addEntry(pack, { name: `${name}/`, type: 'directory', mode: 0o755 });
    }
    // Sockets, fifos and devices are runtime artefacts, not source: skipped.
  }
  return totals;
}

/** Adds one entry, streaming the file at `file` as its body, and waits until the pack has taken it. */
function addEntry(pack: Pack, header: Partial<Header> & { name: string }, file?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
    // An entry cut short (the pack destroyed because its reader went away) errors here.
    sink.on('error', reject);
    if (file === undefined) return;
    const src = createReadStream(file);
    src.on('error', (err) => sink.destroy(err));
    src.pipe(sink as unknown as NodeJS.WritableStream);
  });
}

async function lstatIfExists(p: string): Promise<Stats | undefined> {
  try {
    return await lstat(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
