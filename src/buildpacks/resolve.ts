import { stat, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExecError, SlipwayError, run } from '../lib/index.js';
import type { BuildpackRef } from './ref.js';

/** A buildpack ready to run: an absolute directory holding bin/detect and bin/compile. */
export interface ResolvedBuildpack {
  ref: BuildpackRef;
  dir: string;
  name: string;
}

// tsc does not copy the bash scripts into dist/, so the compiled module (dist/src/buildpacks/)
// points back at the source tree, three levels up.
const BUILTIN_ROOT = fileURLToPath(new URL('../../../src/buildpacks/builtin/', import.meta.url));
const CLONE_TIMEOUT_MS = 5 * 60_000;
const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

export function builtinDir(name: string): string {
  return path.join(BUILTIN_ROOT, name);
}

/** Turns refs into directories: built-ins in place, paths checked, git URLs cloned into workDir. */
export async function resolveBuildpacks(
  refs: BuildpackRef[],
  opts: { workDir: string; log: (line: string) => void },
): Promise<ResolvedBuildpack[]> {
  const out: ResolvedBuildpack[] = [];
  for (const [i, ref] of refs.entries()) {
    out.push(await resolveOne(ref, i, opts));
  }
  return out;
}

async function resolveOne(
  ref: BuildpackRef,
  index: number,
  opts: { workDir: string; log: (line: string) => void },
): Promise<ResolvedBuildpack> {
  switch (ref.kind) {
    case 'builtin': {
      const name = ref.name ?? ref.spec;
      const dir = builtinDir(name);
      await assertBuildpackDir(dir, ref.spec);
      return { ref, dir, name };
    }
    case 'path': {
      const dir = path.resolve(ref.path ?? ref.spec);
      await assertBuildpackDir(dir, ref.spec);
      return { ref, dir, name: path.basename(dir) };
    }
    case 'git': {
      const dir = path.join(opts.workDir, String(index));
      await cloneBuildpack(ref, dir, opts.log);
      await assertBuildpackDir(dir, ref.spec);
      return { ref, dir, name: ref.name ?? `buildpack-${index}` };
    }
  }
}

async function assertBuildpackDir(dir: string, spec: string): Promise<void> {
  for (const rel of ['bin/detect', 'bin/compile']) {
    const st = await stat(path.join(dir, rel)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
      throw err;
    });
    if (!st?.isFile()) {
      throw new SlipwayError('E_BUILDPACK_INVALID', `buildpack ${spec}: ${rel} is missing`, {
        hint: 'a classic buildpack is a directory with executable bin/detect, bin/compile and optionally bin/release',
      });
    }
  }
}

/** The argv of each git call for a ref; pure so tests can check that nothing reaches a shell. */
export function cloneArgvs(url: string, ref: string | undefined, dest: string): string[][] {
  if (ref !== undefined && FULL_SHA.test(ref)) {
    // `--branch` only takes branch and tag names, so a pinned commit needs the full history.
    return [
      ['git', 'clone', '--quiet', '--', url, dest],
      ['git', '-C', dest, 'checkout', '--quiet', ref],
    ];
  }
  const branch = ref === undefined ? [] : ['--branch', ref];
  return [['git', 'clone', '--quiet', '--depth', '1', ...branch, '--', url, dest]];
}

async function cloneBuildpack(ref: BuildpackRef, dest: string, log: (line: string) => void): Promise<void> {
  const url = ref.url ?? ref.spec;
  const shown = redactUrl(url);
  log(`-----> Fetching buildpack ${shown}${ref.ref === undefined ? '' : `#${ref.ref}`}`);
  await rm(dest, { recursive: true, force: true });
  // Never ask for credentials on a terminal the daemon does not have: fail instead of hanging.
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
  for (const argv of cloneArgvs(url, ref.ref, dest)) {
    try {
      await run(argv, { env, timeoutMs: CLONE_TIMEOUT_MS });
    } catch (err) {
      const why = hideSecret(gitTail(err), url);
      throw new SlipwayError('E_BUILDPACK_INVALID', `could not fetch buildpack ${hideSecret(ref.spec, url)}: ${why}`, {
        hint: 'check that the URL is reachable from the server and that the #ref names a branch, tag or full commit',
        cause: err,
      });
    }
  }
}

// Build logs are shown to everyone with access to the app: a token in
// https://user:token@host/... must not end up there.
function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password === '') return url;
  parsed.password = '***';
  return parsed.toString();
}

function hideSecret(text: string, url: string): string {
  const password = new URL(url).password;
  return password === '' ? text : text.split(password).join('***');
}

function gitTail(err: unknown): string {
  if (err instanceof ExecError) {
    const lines = err.stderrTail.split('\n').map((l) => l.trim()).filter(Boolean).slice(-3).join(' / ');
    return lines || (err.signal ? `git killed by ${err.signal}` : `git exited with ${err.exitCode}`);
  }
  return err instanceof Error ? err.message : String(err);
}
