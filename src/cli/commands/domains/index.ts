import type { Command } from 'commander';
import type { AppJson } from '../../../api/schemas.js';
import { enc, withApp, type Ctx } from '../../context.js';

export function register(program: Command, ctx: Ctx): void {
  withApp(program.command('domains'))
    .description("list an app's domains")
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ slipway domains -a hello')
    .action(async (opts: { app?: string; json?: boolean }) => {
      const app = await ctx.appName(opts);
      const [{ domains }, info] = await Promise.all([ctx.client().get<{ domains: string[] }>(`/v1/apps/${enc(app)}/domains`), ctx.client().get<AppJson>(`/v1/apps/${enc(app)}`)]);
      if (opts.json) return ctx.out.json({ default: new URL(info.web_url).hostname, custom: domains });
      ctx.out.out(`=== ${app} Domains`);
      ctx.out.out(`${new URL(info.web_url).hostname} (default)`);
      for (const d of domains) ctx.out.out(d);
    });

  withApp(program.command('domains:add'))
    .argument('<hostname>', 'e.g. www.example.com (point its DNS at this server)')
    .description('route a custom domain to the app')
    .addHelpText('after', '\nExample:\n  $ slipway domains:add -a hello www.example.com')
    .action(async (hostname: string, opts: { app?: string }) => {
      const app = await ctx.appName(opts);
      await ctx.out.progress(`Adding ${hostname} to ${app}`, () => ctx.client().post(`/v1/apps/${enc(app)}/domains`, { hostname }));
    });

  withApp(program.command('domains:remove'))
    .argument('<hostname>', 'a custom domain of the app')
    .description('stop routing a custom domain to the app')
    .addHelpText('after', '\nExample:\n  $ slipway domains:remove -a hello www.example.com')
    .action(async (hostname: string, opts: { app?: string }) => {
      const app = await ctx.appName(opts);
      await ctx.out.progress(`Removing ${hostname} from ${app}`, () => ctx.client().delete(`/v1/apps/${enc(app)}/domains/${enc(hostname)}`));
    });

  withApp(program.command('open'))
    .description("print the app's URL (and open it in a browser when there is one)")
    .addHelpText('after', '\nExample:\n  $ slipway open -a hello')
    .action(async (opts: { app?: string }) => {
      const info = await ctx.client().get<AppJson>(`/v1/apps/${enc(await ctx.appName(opts))}`);
      ctx.out.out(info.web_url);
      if (process.stdout.isTTY && (ctx.env.DISPLAY || ctx.env.WAYLAND_DISPLAY)) {
        const { spawn } = await import('node:child_process');
        spawn('xdg-open', [info.web_url], { stdio: 'ignore', detached: true }).on('error', () => undefined).unref();
      }
    });
}
