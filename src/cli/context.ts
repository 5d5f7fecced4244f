import type { Command } from 'commander';
import { Client, resolveTarget } from './client.js';
import { CliError } from './errors.js';
import type { Output } from './output.js';

export interface Ctx {
  env: NodeJS.ProcessEnv;
  cwd: string;
  out: Output;
  client(): Client;
  /** -a/--app, else SLIPWAY_APP, else the `slipway` git remote of the current repo. */
  appName(opts: { app?: string }): Promise<string>;
  stdinIsTTY: boolean;
  prompt(question: string): Promise<string>;
}

export function makeCtx(out: Output, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Ctx {
  let client: Client | undefined;
  return {
    env,
    cwd,
    out,
    client: () => (client ??= new Client(resolveTarget(env))),
    appName: async (opts) => opts.app || env.SLIPWAY_APP || (await appFromGitRemote(cwd)),
    stdinIsTTY: Boolean(process.stdin.isTTY),
    async prompt(question) {
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return (await rl.question(question)).trim();
      } finally {
        rl.close();
      }
    },
  };
}

async function appFromGitRemote(cwd: string): Promise<string> {
  const { run } = await import('../lib/index.js'); // only here: most commands name the app with -a
  const r = await run(['git', 'config', '--get', 'remote.slipway.url'], { cwd, allowFailure: true }).catch(() => undefined);
  const m = r?.exitCode === 0 ? /\/git\/([^/]+?)(?:\.git)?\/?$/.exec(r.stdout.trim()) : null;
  if (!m?.[1]) {
    throw new CliError('no app specified', 'pass -a APP, set SLIPWAY_APP, or run inside a git repository with a `slipway` remote');
  }
  return m[1];
}

/** Adds the shared -a/--app option. */
export function withApp(cmd: Command): Command {
  return cmd.option('-a, --app <app>', 'app to run the command against (default: $SLIPWAY_APP or the `slipway` git remote)');
}

export const enc = encodeURIComponent;
