import type { Command } from 'commander';
import type { AppJson } from '../../../api/schemas.js';
import type { Ctx } from '../../context.js';

export function register(program: Command, ctx: Ctx): void {
  program
    .command('apps:create')
    .argument('[name]', 'app name (default: a generated one)')
    .description('create an app')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ slipway apps:create hello\n  http://hello.localhost:8080 | http://127.0.0.1:7070/git/hello.git')
    .action(async (name: string | undefined, opts: { json?: boolean }) => {
      const app = await ctx.out.progress(`Creating ${name ?? 'app'}`, () => ctx.client().post<AppJson>('/v1/apps', name === undefined ? {} : { name }), (a) => `done, ${a.name}`);
      if (opts.json) return ctx.out.json(app);
      ctx.out.out(`${app.web_url} | ${app.git_url}`);
    });
}
