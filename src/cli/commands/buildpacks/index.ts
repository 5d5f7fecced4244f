import type { Command } from 'commander';
import { enc, withApp, type Ctx } from '../../context.js';

type Buildpacks = { buildpacks: string[] };

export function register(program: Command, ctx: Ctx): void {
  const show = (app: string, list: string[]): void => {
    if (list.length === 0) return ctx.out.err(`${app} has no buildpacks set: they are detected (function, nodejs, python, perl, static, procfile) or read from app.json.`);
    ctx.out.out(`=== ${app} Buildpacks`);
    list.forEach((b, i) => ctx.out.out(`${i + 1}. ${b}`));
  };
  const put = async (app: string, list: string[]): Promise<string[]> =>
    (await ctx.client().request<Buildpacks>('PUT', `/v1/apps/${enc(app)}/buildpacks`, { buildpacks: list })).buildpacks;

  withApp(program.command('buildpacks'))
    .description("list an app's buildpacks")
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ slipway buildpacks -a hello')
    .action(async (opts: { app?: string; json?: boolean }) => {
      const app = await ctx.appName(opts);
      const { buildpacks } = await ctx.client().get<Buildpacks>(`/v1/apps/${enc(app)}/buildpacks`);
      if (opts.json) return ctx.out.json(buildpacks);
      show(app, buildpacks);
    });

  withApp(program.command('buildpacks:set'))
    .argument('<buildpacks...>', 'a built-in name (function, nodejs, python, perl, static, procfile), an absolute path, or a git URL with optional #ref')
    .description('set the buildpacks to run, in order (replaces the list)')
    .addHelpText('after', '\nExample:\n  $ slipway buildpacks:set -a hello https://github.com/heroku/heroku-buildpack-nodejs#v250\n  $ slipway buildpacks:set -a hello /srv/buildpacks/custom nodejs')
    .action(async (specs: string[], opts: { app?: string }) => {
      const app = await ctx.appName(opts);
      show(app, await ctx.out.progress(`Setting buildpacks of ${app}`, () => put(app, specs)));
      ctx.out.err('The next push uses them.');
    });

  withApp(program.command('buildpacks:add'))
    .argument('<buildpack>', 'buildpack to append')
    .description('append a buildpack to the list')
    .addHelpText('after', '\nExample:\n  $ slipway buildpacks:add -a hello python')
    .action(async (spec: string, opts: { app?: string }) => {
      const app = await ctx.appName(opts);
      const { buildpacks } = await ctx.client().get<Buildpacks>(`/v1/apps/${enc(app)}/buildpacks`);
      show(app, await ctx.out.progress(`Adding ${spec} to ${app}`, () => put(app, [...buildpacks, spec])));
    });

  withApp(program.command('buildpacks:clear'))
    .description('clear the list: buildpacks are detected again')
    .addHelpText('after', '\nExample:\n  $ slipway buildpacks:clear -a hello')
    .action(async (opts: { app?: string }) => {
      const app = await ctx.appName(opts);
      await ctx.out.progress(`Clearing buildpacks of ${app}`, () => put(app, []));
    });
}
