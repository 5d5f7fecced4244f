import type { Command } from 'commander';
import { CliError, usageError } from '../../errors.js';
import { enc, withApp, type Ctx } from '../../context.js';

export function register(program: Command, ctx: Ctx): void {
  withApp(program.command('apps:destroy'))
    .argument('[name]', 'app to destroy (or -a APP)')
    .description('permanently destroy an app: its releases, config, repository and files')
    .option('--confirm <name>', 'the app name again, to skip the prompt')
    .addHelpText('after', '\nExample:\n  $ slipway apps:destroy hello --confirm hello')
    .action(async (name: string | undefined, opts: { app?: string; confirm?: string }) => {
      if (name && opts.app && name !== opts.app) throw usageError(`two different apps given: ${name} and ${opts.app}`);
      const app = name ?? (await ctx.appName(opts));
      await confirm(ctx, app, opts.confirm);
      await ctx.out.progress(`Destroying ${app} (including all releases, config and files)`, () => ctx.client().delete(`/v1/apps/${enc(app)}`));
    });
}

async function confirm(ctx: Ctx, app: string, given: string | undefined): Promise<void> {
  if (given !== undefined) {
    if (given !== app) throw new CliError(`--confirm ${given} does not match the app ${app}`, `pass --confirm ${app}`);
    return;
  }
  if (!ctx.stdinIsTTY) {
    throw new CliError(`this permanently destroys ${app} and all its data`, `to proceed, run again with --confirm ${app}`);
  }
  ctx.out.err(`WARNING: this permanently destroys ${app}, its releases, config, git repository and files.`);
  const typed = await ctx.prompt(`To proceed, type ${app}: `);
  if (typed !== app) throw new CliError('confirmation did not match; nothing was destroyed');
}
