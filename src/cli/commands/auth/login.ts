import type { Command } from 'commander';
import type { ServerJson } from '../../../api/schemas.js';
import { Client } from '../../client.js';
import { removeCredentials, saveCredentials } from '../../credentials.js';
import { usageError } from '../../errors.js';
import type { Ctx } from '../../context.js';

export function register(program: Command, ctx: Ctx): void {
  program
    .command('login')
    .description('save the server URL and token this CLI uses (checked against the server first)')
    .requiredOption('--url <url>', 'the server API URL, e.g. http://127.0.0.1:7070')
    .option('--token <token>', 'an API token (default: $SLIPWAY_TOKEN)')
    .addHelpText('after', '\nExample:\n  $ slipway login --url http://127.0.0.1:7070 --token "$(cat ~/.slipway/admin-token)"')
    .action(async (opts: { url: string; token?: string }) => {
      const token = opts.token ?? ctx.env.SLIPWAY_TOKEN;
      if (!token) throw usageError('no token given', 'pass --token TOKEN (the server writes its admin token to HOME/admin-token)');
      let url: URL;
      try {
        url = new URL(opts.url);
      } catch {
        throw usageError(`--url ${opts.url} is not a URL`, 'for example: --url http://127.0.0.1:7070');
      }
      const base = url.origin;
      const info = await new Client({ url: base, token }).get<ServerJson>('/v1/server');
      const file = await saveCredentials(ctx.env, { url: base, token });
      ctx.out.err(`Logged in to ${base} (slipway ${info.version}); saved to ${file}`);
    });

  program
    .command('logout')
    .description('forget the saved server URL and token')
    .addHelpText('after', '\nExample:\n  $ slipway logout')
    .action(() => {
      ctx.out.err(removeCredentials(ctx.env) ? 'Logged out.' : 'Not logged in.');
    });
}
