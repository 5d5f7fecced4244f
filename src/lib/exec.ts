import { spawn, type SpawnOptions } from 'node:child_process';
import { ExecError } from './errors.js';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  timeoutMs?: number;
  /** Resolve with the result instead of throwing when the exit code is not 0. */
  allowFailure?: boolean;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Runs argv[0] with argv[1..] as separate arguments. There is deliberately no
 * way to hand this a string for a shell: user input (app names, branches,
 * config) must never be parsed by one.
 */
export function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const [cmd, ...args] = argv;
  if (!cmd) throw new TypeError('run: empty argv');
  const spawnOpts: SpawnOptions = { cwd: opts.cwd, env: opts.env, shell: false, stdio: ['pipe', 'pipe', 'pipe'] };
  if (opts.timeoutMs !== undefined) spawnOpts.timeout = opts.timeoutMs;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, spawnOpts);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      const result = { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), exitCode, signal };
      if (exitCode === 0 || opts.allowFailure) resolve(result);
      else reject(new ExecError({ argv, exitCode, signal, stderr: result.stderr }));
    });
    // A child that exits without reading its stdin (git rev-parse, ...) makes the write fail with EPIPE; that is not an error of the run.
    child.stdin?.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') reject(e);
    });
    child.stdin?.end(opts.input ?? '');
  });
}
