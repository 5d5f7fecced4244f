import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { AppJson } from '../../../api/schemas.js';
import { run } from '../../../lib/index.js';
import { CliError } from '../../errors.js';
import { enc, withApp, type Ctx } from '../../context.js';

export function register(program: Command, ctx: Ctx): void {
  withApp(program.command('git:remote'))
    .description("add a git remote for an app, with a credential helper so pushes need no typed password")
    .option('-r, --remote <name>', 'remote name', 'slipway')
    .addHelpText('after', '\nExample:\n  $ slipway git:remote -a hello && git push slipway main')
    .action(async (opts: { app?: string; remote: string }) => {
      const app = await ctx.client().get<AppJson>(`/v1/apps/${enc(await ctx.appName(opts))}`);
      const git = (args: string[]) => run(['git', ...args], { cwd: ctx.cwd, allowFailure: true });
      if ((await git(['rev-parse', '--git-dir'])).exitCode !== 0) throw new CliError('not inside a git repository', 'run `git init` first, or cd into your app');
      const has = (await git(['remote', 'get-url', opts.remote])).exitCode === 0;
      const r = await git(['remote', has ? 'set-url' : 'add', opts.remote, app.git_url]);
      if (r.exitCode !== 0) throw new CliError(`git remote failed: ${r.stderr.trim()}`);
      await git(['config', '--local', '--replace-all', `credential.${new URL(app.git_url).origin}.helper`, credentialHelper()]);
      ctx.out.err(`${has ? 'Updated' : 'Added'} git remote ${opts.remote} -> ${app.git_url}`);
      ctx.out.out(app.git_url);
    });

  withApp(program.command('git:clone'))
    .argument('[dir]', 'directory to clone into (default: the app name)')
    .description("clone an app's repository, with the `slipway` remote and credentials set up")
    .addHelpText('after', '\nExample:\n  $ slipway git:clone -a hello && cd hello')
    .action(async (dir: string | undefined, opts: { app?: string }) => {
      const app = await ctx.client().get<AppJson>(`/v1/apps/${enc(await ctx.appName(opts))}`);
      const key = `credential.${new URL(app.git_url).origin}.helper`;
      const target = dir ?? app.name;
      const r = await run(['git', '-c', `${key}=${credentialHelper()}`, 'clone', '--origin', 'slipway', '--', app.git_url, target], { cwd: ctx.cwd, allowFailure: true });
      if (r.exitCode !== 0) throw new CliError(`git clone failed: ${r.stderr.trim()}`);
      await run(['git', '-C', target, 'config', '--local', key, credentialHelper()], { cwd: ctx.cwd });
      ctx.out.err(`Cloned ${app.name} into ${target} (remote: slipway)`);
    });

  program
    .command('git:credential', { hidden: true })
    .argument('<operation>', 'get, store or erase (git credential helper protocol)')
    .description('git credential helper: answers with the Slipway token for this server')
    .action(async (operation: string) => {
      if (operation !== 'get') return;
      let input = '';
      for await (const chunk of process.stdin) input += String(chunk);
      const fields = Object.fromEntries(input.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
      const target = new URL(ctx.client().url);
      const token = ctx.client().token;
      if (!token || fields.host !== target.host || `${fields.protocol}:` !== target.protocol) return;
      process.stdout.write(`username=slipway\npassword=${token}\n`);
    });
}

/** The helper script ships in the source tree (tsc does not copy it to dist/). */
const HELPER = fileURLToPath(new URL('../../../../../src/cli/git-credential.sh', import.meta.url));

/** git runs credential helpers through a shell: our own paths are quoted (they are not user input). */
function credentialHelper(): string {
  return `!${shq(HELPER)} ${shq(process.execPath)} ${shq(process.argv[1] ?? 'slipway')}`;
}

function shq(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}
