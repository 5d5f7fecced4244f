import type { Command } from 'commander';
import { enc, withApp, type Ctx } from '../../context.js';

export function register(program: Command, ctx: Ctx): void {
  withApp(program.command('config:get'))
    .argument('<key>', 'config var to print')
    .description('print one config var (an empty line when unset, as Heroku does)')
    .option('--json', 'print JSON (null when unset)')
    .addHelpText('after', '\nExample:\n  $ slipway config:get -a hello GREETING')
    .action(async (key: string, opts: { app?: string; json?: boolean }) => {
      const config = await ctx.client().get<Record<string, string>>(`/v1/apps/${enc(await ctx.appName(opts))}/config`);
      const value = Object.hasOwn(config, key) ? config[key] : undefined;
      if (opts.json) return ctx.out.json(value ?? null);
      ctx.out.out(value ?? '');
    });
}
