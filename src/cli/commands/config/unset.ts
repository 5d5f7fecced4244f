import type { Command } from 'commander';
import type { ConfigPatchJson } from '../../../api/schemas.js';
import { enc, withApp, type Ctx } from '../../context.js';
import { doneText } from './set.js';

export function register(program: Command, ctx: Ctx): void {
  withApp(program.command('config:unset'))
    .argument('<keys...>', 'config vars to remove')
    .description('unset config vars (creates a new release)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ slipway config:unset -a hello GREETING')
    .action(async (keys: string[], opts: { app?: string; json?: boolean }) => {
      const app = await ctx.appName(opts);
      const patch = Object.fromEntries(keys.map((k) => [k, null]));
      const res = await ctx.out.progress(`Unsetting ${keys.join(', ')} and restarting ${app}`, () => ctx.client().patch<ConfigPatchJson>(`/v1/apps/${enc(app)}/config`, patch), doneText);
      if (opts.json) ctx.out.json(res);
    });
}
