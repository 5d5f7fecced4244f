import type { Command } from 'commander';
import type { UserJson } from '../../../api/schemas.js';
import { enc, type Ctx } from '../../context.js';

export function register(program: Command, ctx: Ctx): void {
  program
    .command('users')
    .description('list users (admins may do everything; others what `access:add` gives them)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ slipway users')
    .action(async (opts: { json?: boolean }) => {
      const users = await ctx.client().get<UserJson[]>('/v1/users');
      if (opts.json) return ctx.out.json(users);
      ctx.out.table(users.map((u) => ({ name: u.name, role: u.admin ? 'admin' : 'user', apps: u.admin ? '(all)' : u.apps.join(',') || '-', created: u.created_at })), ['name', 'role', 'apps', 'created']);
    });

  program
    .command('users:add')
    .argument('<name>', 'user name, e.g. alice')
    .option('--admin', 'a platform admin: every app, users, tokens')
    .description('add a user (give them apps with access:add, and a token with tokens:create)')
    .addHelpText('after', '\nExample:\n  $ slipway users:add alice && slipway access:add -a hello alice --role deploy')
    .action(async (name: string, opts: { admin?: boolean }) => {
      await ctx.out.progress(`Adding user ${name}`, () => ctx.client().post('/v1/users', { name, admin: Boolean(opts.admin) }));
    });

  program
    .command('users:remove')
    .argument('<name>', 'user name')
    .description('remove a user with all their tokens and access')
    .addHelpText('after', '\nExample:\n  $ slipway users:remove alice')
    .action(async (name: string) => {
      await ctx.out.progress(`Removing user ${name} and their tokens`, () => ctx.client().delete(`/v1/users/${enc(name)}`));
    });
}
