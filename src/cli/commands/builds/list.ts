import type { Command } from 'commander';
import type { BuildJson } from '../../../api/schemas.js';
import { Client } from '../../client.js';
import { enc, withApp, type Ctx } from '../../context.js';

export function register(program: Command, ctx: Ctx): void {
  withApp(program.command('builds'))
    .description("list an app's builds, newest first")
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ slipway builds -a hello')
    .action(async (opts: { app?: string; json?: boolean }) => {
      const app = await ctx.appName(opts);
      const builds = await ctx.client().get<BuildJson[]>(`/v1/apps/${enc(app)}/builds`);
      if (opts.json) return ctx.out.json(builds);
      if (builds.length === 0) return ctx.out.err(`${app} has no builds yet: git push slipway main, or slipway deploy -a ${app} DIR`);
      ctx.out.table(
        builds.map((b) => ({
          id: b.id,
          status: b.status,
          commit: b.commit ? b.commit.slice(0, 7) : b.source,
          release: b.release ?? '-',
          duration: b.duration_ms === null ? '-' : `${(b.duration_ms / 1000).toFixed(1)}s`,
          created: b.created_at,
        })),
        ['id', 'status', 'commit', 'release', 'duration', 'created'],
      );
    });

  withApp(program.command('builds:output'))
    .argument('[id]', 'build id (default: the latest)', 'latest')
    .description('print the whole log of a build')
    .addHelpText('after', '\nExample:\n  $ slipway builds:output -a hello')
    .action(async (id: string, opts: { app?: string }) => {
      const app = await ctx.appName(opts);
      const res = await ctx.client().raw('GET', `/v1/apps/${enc(app)}/builds/${enc(id)}/output`);
      if (!res.ok) throw await Client.failure(res, true);
      process.stdout.write(await res.text());
    });

  withApp(program.command('builds:cache:clear'))
    .description("clear an app's build cache (the next build installs dependencies from scratch)")
    .addHelpText('after', '\nExample:\n  $ slipway builds:cache:clear -a hello')
    .action(async (opts: { app?: string }) => {
      const app = await ctx.appName(opts);
      await ctx.out.progress(`Clearing the build cache of ${app}`, () => ctx.client().delete(`/v1/apps/${enc(app)}/build-cache`));
    });
}
