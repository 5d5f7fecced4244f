import type { Command } from 'commander';
import type { TokenJson } from '../../../api/schemas.js';
import { usageError } from '../../errors.js';
import type { Ctx } from '../../context.js';

export function register(program: Command, ctx: Ctx): void {
  program
    .command('tokens')
    .description('list API tokens (never the tokens themselves)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ slipway tokens')
    .action(async (opts: { json?: boolean }) => {
      const tokens = await ctx.client().get<TokenJson[]>('/v1/tokens');
      if (opts.json) return ctx.out.json(tokens);
      ctx.out.table(
        tokens.map((t) => ({ id: String(t.id), name: t.name, user: t.user, scope: t.scope, app: t.app ?? '(all)', expires: t.expires_at ?? 'never', 'last used': t.last_used_at ?? 'never' })),
        ['id', 'name', 'user', 'scope', 'app', 'expires', 'last used'],
      );
    });

  program
    .command('tokens:create')
    .requiredOption('--user <name>', 'whose token it is')
    .requiredOption('--scope <scope>', 'read (GET), deploy (push, deploy, config, scale, run) or admin')
    .option('--app <app>', 'limit the token to this one app (other apps look absent to it)')
    .option('--expires <duration>', 'e.g. 30d, 12h, 90m (default: never)')
    .option('--name <name>', 'a label to find it by')
    .option('--json', 'print JSON')
    .description('create an API token; it is printed once, on stdout, and cannot be shown again')
    .addHelpText('after', '\nExample:\n  $ slipway tokens:create --user alice --scope deploy --app hello --expires 30d')
    .action(async (opts: { user: string; scope: string; app?: string; expires?: string; name?: string; json?: boolean }) => {
      if (!['read', 'deploy', 'admin'].includes(opts.scope)) throw usageError(`--scope ${opts.scope}: use read, deploy or admin`);
      const t = await ctx.client().post<TokenJson>('/v1/tokens', { user: opts.user, scope: opts.scope, app: opts.app, expires: opts.expires, name: opts.name });
      if (opts.json) return ctx.out.json(t);
      ctx.out.err(`Created token ${t.id} (${t.name}) for ${t.user}: scope ${t.scope}${t.app ? ` on ${t.app}` : ''}, expires ${t.expires_at ?? 'never'}. It is shown once:`);
      ctx.out.out(t.token);
    });

  program
    .command('tokens:revoke')
    .argument('<id>', 'the token id (see `slipway tokens`)')
    .description('revoke a token; its next request is refused')
    .addHelpText('after', '\nExample:\n  $ slipway tokens:revoke 4')
    .action(async (id: string) => {
      await ctx.out.progress(`Revoking token ${id}`, () => ctx.client().delete(`/v1/tokens/${encodeURIComponent(id)}`));
    });
}
