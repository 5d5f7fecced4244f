import type { Command } from 'commander';
import type { AppJson } from '../../../api/schemas.js';
import type { Ctx } from '../../context.js';

export function register(program: Command, ctx: Ctx): void {
  program
    .command('apps')
    .description('list apps')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ slipway apps')
    .action(async (opts: { json?: boolean }) => {
      const apps = await ctx.client().get<AppJson[]>('/v1/apps');
      if (opts.json) return ctx.out.json(apps);
      if (apps.length === 0) return ctx.out.err('No apps yet. Create one with `slipway apps:create NAME`.');
      ctx.out.table(apps.map((a) => ({ name: a.name, url: a.web_url, release: a.release ?? '-' })), ['name', 'url', 'release']);
    });
}
