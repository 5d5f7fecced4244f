import { spawn } from 'node:child_process';
import { ExecError, SlipwayError } from '../lib/index.js';

/**
 * Runs mmdebstrap (argv, no shell), passing its `I:`/`E:` lines to
 * onProgress, and turns apt's refusals into errors that name the package.
 */
export function runMmdebstrap(argv: readonly string[], opts: { env: NodeJS.ProcessEnv; onProgress?: (line: string) => void }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), { env: opts.env, stdio: ['ignore', 'ignore', 'pipe'], shell: false });
    let tail = '';
    let partial = '';
    child.stderr.on('data', (b: Buffer) => {
      const text = b.toString('utf8');
      tail = (tail + text).slice(-8000);
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) if (/^[IEW]: /.test(l)) opts.onProgress?.(l);
    });
    child.on('error', (err) =>
      reject(
        (err as NodeJS.ErrnoException).code === 'ENOENT'
          ? new SlipwayError('E_STACK_BUILD_FAILED', 'mmdebstrap is not installed', { hint: 'apt-get install mmdebstrap (scripts/install-system-deps.sh does)' })
          : err,
      ),
    );
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      const cause = new ExecError({ argv, exitCode: code, signal, stderr: tail });
      reject(explain(tail, cause));
    });
  });
}

/** apt's words for a package or version that does not exist, as a clear error. */
export function explain(stderr: string, cause: unknown): SlipwayError {
  const patterns: [RegExp, (m: RegExpExecArray) => string][] = [
    [/Unable to locate package (\S+)/, (m) => `package ${m[1]} does not exist in the configured Debian sources`],
    [/Version '([^']+)' for '([^']+)' was not found/, (m) => `package ${m[2]} has no version ${m[1]} in the configured Debian sources`],
    [/Package '?([^' ]+)'? has no installation candidate/, (m) => `package ${m[1]} has no installable version`],
  ];
  for (const [re, say] of patterns) {
    const m = re.exec(stderr);
    if (m) return new SlipwayError('E_STACK_PACKAGE_NOT_FOUND', say(m), { hint: 'check the name with `apt-cache policy NAME` (and the version with `apt-cache madison NAME`)', cause });
  }
  const last = stderr.trim().split('\n').filter((l) => /^E: /.test(l)).slice(-3).join('; ') || stderr.trim().split('\n').slice(-3).join('; ');
  return new SlipwayError('E_STACK_BUILD_FAILED', `mmdebstrap failed: ${last}`, { hint: 'nothing was kept; see the messages above and try again', cause });
}
