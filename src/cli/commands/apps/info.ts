import type { Command } from 'commander';
import type { AppJson } from '../../../api/schemas.js';
import { enc, withApp, type Ctx } from '../../context.js';
import { keyValues } from '../../output.js';

export function register(program: Command, ctx: Ctx): void {
  withApp(program.command('apps:info'))
    .description('show an app')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ slipway apps:info -a hello --json')
    .action(async (opts: { app?: string; json?: boolean }) => {
      const app = await ctx.client().get<AppJson>(`/v1/apps/${enc(await ctx.appName(opts))}`);
      if (opts.json) return ctx.out.json(app);
      ctx.out.out(`=== ${app.name}`);
      const lines = keyValues([
        ['Web URL', app.web_url],
        ['Git URL', app.git_url],
        ['Release', app.release ?? '-'],
        ['Config vars', String(app.config_vars)],
        ['Created', app.created_at],
        ...app.problems.map((p): [string, string] => ['Problem', p]),
      ]);
      for (const l of lines) ctx.out.out(l);
    });
}
