import type { Command } from 'commander';
import type { ReleaseJson } from '../../../api/schemas.js';
import { enc, withApp, type Ctx } from '../../context.js';

export function register(program: Command, ctx: Ctx): void {
  withApp(program.command('releases'))
    .description("list an app's releases, newest first")
    .option('--json', 'print JSON')
    .option('-n, --num <n>', 'how many to show', '15')
    .addHelpText('after', '\nExample:\n  $ slipway releases -a hello')
    .action(async (opts: { app?: string; json?: boolean; num: string }) => {
      const app = await ctx.appName(opts);
      const all = await ctx.client().get<ReleaseJson[]>(`/v1/apps/${enc(app)}/releases`);
      const n = Number.parseInt(opts.num, 10);
      const rels = Number.isFinite(n) && n > 0 ? all.slice(0, n) : all;
      if (opts.json) return ctx.out.json(rels);
      ctx.out.out(`=== ${app} Releases`);
      ctx.out.table(rels.map((r) => ({ version: r.name, description: r.description, status: r.status, created: r.created_at })), ['version', 'description', 'status', 'created']);
    });
}
