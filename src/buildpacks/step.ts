import { spawn } from 'node:child_process';
import { open, stat } from 'node:fs/promises';

export interface StepResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
}

/** Runs one buildpack executable. The daemon's implementation sandboxes it; tests use `hostStepRunner`. */
export type StepRunner = (
  argv: string[],
  opts: { cwd: string; env: Record<string, string>; onLine?: (line: string) => void },
) => Promise<StepResult>;

/**
 * Runs argv directly on the host (no shell, no sandbox) with exactly the env given.
 * stdout is collected for the caller (detect names, release YAML); when onLine is given,
 * stdout and stderr are also streamed to it line by line so a long compile shows progress.
 */
export const hostStepRunner: StepRunner = (argv, opts) => runStep(argv, opts);

/**
 * hostStepRunner, plus bytes written to extra descriptors of the child
 * (a sandbox reads its environment from one, so it is on no argv).
 */
export function runStep(argv: string[], opts: Parameters<StepRunner>[1] & { fds?: Record<number, Buffer> }): Promise<StepResult> {
  const [cmd, ...args] = argv;
  if (!cmd) return Promise.reject(new TypeError('runStep: empty argv'));
  return new Promise((resolve, reject) => {
    const stdio: ('pipe' | 'ignore')[] = ['ignore', 'pipe', 'pipe'];
    for (const fd of Object.keys(opts.fds ?? {})) stdio[Number(fd)] = 'pipe';
    for (let i = 3; i < stdio.length; i++) stdio[i] ??= 'ignore';
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, shell: false, stdio });
    for (const [fd, data] of Object.entries(opts.fds ?? {})) {
      const w = child.stdio[Number(fd)] as NodeJS.WritableStream;
      w.on('error', () => undefined); // it exited before reading: its exit status says why
      w.end(data);
    }
    const out: Buffer[] = [];
    const outLines = lineSplitter(opts.onLine);
    const errLines = lineSplitter(opts.onLine);
    child.stdout?.on('data', (b: Buffer) => {
      out.push(b);
      outLines.push(b);
    });
    child.stderr?.on('data', (b: Buffer) => errLines.push(b));
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      outLines.end();
      errLines.end();
      resolve({ exitCode, signal, stdout: Buffer.concat(out).toString('utf8') });
    });
  });
}

/** Cuts a byte stream into lines (LF or CRLF); a partial last line is flushed on end(). */
function lineSplitter(onLine: ((line: string) => void) | undefined): { push(b: Buffer): void; end(): void } {
  let rest = '';
  const decoder = new TextDecoder('utf-8');
  return {
    push(b) {
      if (!onLine) return;
      rest += decoder.decode(b, { stream: true });
      const parts = rest.split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) onLine(line.replace(/\r$/, ''));
    },
    end() {
      if (!onLine) return;
      rest += decoder.decode();
      if (rest !== '') onLine(rest.replace(/\r$/, ''));
      rest = '';
    },
  };
}

/**
 * The argv that runs a buildpack script. Scripts committed without the executable bit (common
 * when a buildpack repo is edited on Windows or unpacked from a zip) still run: through the
 * interpreter named on their `#!` line, or bash when there is none.
 */
export async function scriptArgv(file: string, args: string[]): Promise<string[]> {
  const st = await stat(file);
  if ((st.mode & 0o111) !== 0) return [file, ...args];
  return [...(await shebang(file)), file, ...args];
}

async function shebang(file: string): Promise<string[]> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(256);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const first = buf.subarray(0, bytesRead).toString('utf8').split('\n')[0] ?? '';
    if (!first.startsWith('#!')) return ['bash'];
    const words = first.slice(2).trim().split(/\s+/).filter(Boolean);
    return words.length > 0 ? words : ['bash'];
  } finally {
    await fh.close();
  }
}

// Constant script: the export files and the command arrive as arguments, never pasted into the
// script text, so a path containing `$(...)` or quotes is only ever data. The first argument is
// how many export files follow. Both lists are copied into arrays before sourcing because a
// sourced file may run `set --`; our names carry a prefix an export file will not reuse, and they
// are not exported, so the command never sees them.
const SOURCE_EXPORTS =
  '__slipway_n=$1; shift; __slipway_files=("${@:1:__slipway_n}"); shift "$__slipway_n"; __slipway_cmd=("$@"); ' +
  'for __slipway_f in "${__slipway_files[@]}"; do . "$__slipway_f"; done; exec "${__slipway_cmd[@]}"';

/** Wraps argv so the `export` files of earlier buildpacks are sourced first (Heroku's multi-buildpack contract). */
export function withExports(exportFiles: string[], argv: string[]): string[] {
  if (exportFiles.length === 0) return argv;
  return ['bash', '-c', SOURCE_EXPORTS, 'bash', String(exportFiles.length), ...exportFiles, ...argv];
}
