import type { Command } from 'commander';
import type { AccessJson, AuditJson } from '../../../api/schemas.js';
import { enc, withApp, type Ctx } from '../../context.js';

export function register(program: Command, ctx: Ctx): void {
  withApp(program.command('access'))
    .description('list the users who may use an app, and their roles')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ slipway access -a hello')
    .action(async (opts: { app?: string; json?: boolean }) => {
      const app = await ctx.appName(opts);
      const rows = await ctx.client().get<AccessJson[]>(`/v1/apps/${enc(app)}/access`);
      if (opts.json) return ctx.out.json(rows);
      ctx.out.table(rows.map((r) => ({ user: r.user, role: r.role, since: r.created_at })), ['user', 'role', 'since']);
    });

  withApp(program.command('access:add'))
    .argument('<user>', 'user name')
    .option('--role <role>', 'read, deploy or admin', 'deploy')
    .description("give a user a role on an app (their tokens' scopes still cap it)")
    .addHelpText('after', '\nExample:\n  $ slipway access:add -a hello alice --role deploy')
    .action(async (user: string, opts: { app?: string; role: string }) => {
      const app = await ctx.appName(opts);
      await ctx.out.progress(`Giving ${user} ${opts.role} on ${app}`, () => ctx.client().post(`/v1/apps/${enc(app)}/access`, { user, role: opts.role }));
    });

  withApp(program.command('access:remove'))
    .argument('<user>', 'user name')
    .description("take a user's access to an app away")
    .addHelpText('after', '\nExample:\n  $ slipway access:remove -a hello alice')
    .action(async (user: string, opts: { app?: string }) => {
      const app = await ctx.appName(opts);
      await ctx.out.progress(`Removing ${user} from ${app}`, () => ctx.client().delete(`/v1/apps/${enc(app)}/access/${enc(user)}`));
    });

  program
    .command('audit')
    .description('mutating API calls, newest first: who, what, app, when, from where')
    .option('-a, --app <app>', 'only this app')
    .option('-n, --num <n>', 'how many entries', '100')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ slipway audit -a hello -n 20')
    .action(async (opts: { app?: string; num: string; json?: boolean }) => {
      const q = new URLSearchParams({ limit: opts.num });
      if (opts.app) q.set('app', opts.app);
      const rows = await ctx.client().get<AuditJson[]>(`/v1/audit?${q}`);
      if (opts.json) return ctx.out.json(rows);
      ctx.out.table(rows.map((r) => ({ when: r.at, user: r.user, what: `${r.method} ${r.path}`, app: r.app ?? '', status: String(r.status), from: r.remote })), ['when', 'user', 'what', 'app', 'status', 'from']);
    });
}
