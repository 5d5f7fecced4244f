import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import { enc, withApp, type Ctx } from '../../context.js';
import { keyValues } from '../../output.js';

/** The server names the settings it knows and what each does. */
type Settings = { settings: Record<string, number>; known: Record<string, string> };

export function register(program: Command, ctx: Ctx): void {
  withApp(program.command('apps:settings'))
    .description("show an app's settings (stop-timeout, drain-timeout, deploy-timeout)")
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ slipway apps:settings -a hello')
    .action(async (opts: { app?: string; json?: boolean }) => {
      const app = await ctx.appName(opts);
      const { settings, known } = await ctx.client().get<Settings>(`/v1/apps/${enc(app)}/settings`);
      if (opts.json) return ctx.out.json(settings);
      ctx.out.out(`=== ${app} Settings`);
      for (const l of keyValues(Object.entries(known).map(([k, doc]) => [k, k in settings ? String(settings[k]) : `default — ${doc}`]))) ctx.out.out(l);
    });

  withApp(program.command('apps:settings:set'))
    .argument('<pairs...>', 'KEY=VALUE, e.g. stop-timeout=60')
    .description('change app settings (they apply from the next deploy, restart or scale)')
    .addHelpText('after', '\nExample:\n  $ slipway apps:settings:set -a hello stop-timeout=60 drain-timeout=10')
    .action(async (pairs: string[], opts: { app?: string }) => {
      const patch: Record<string, string> = {};
      for (const p of pairs) {
        const i = p.indexOf('=');
        if (i <= 0) throw usageError(`${p} is not KEY=VALUE`, 'see `slipway apps:settings` for the known settings');
        patch[p.slice(0, i)] = p.slice(i + 1);
      }
      const app = await ctx.appName(opts);
      await ctx.out.progress(`Setting ${Object.keys(patch).join(', ')} on ${app}`, () => ctx.client().patch(`/v1/apps/${enc(app)}/settings`, patch));
    });

  withApp(program.command('apps:settings:unset'))
    .argument('<keys...>', 'settings to reset to their defaults')
    .description('reset app settings to their defaults')
    .addHelpText('after', '\nExample:\n  $ slipway apps:settings:unset -a hello stop-timeout')
    .action(async (keys: string[], opts: { app?: string }) => {
      const app = await ctx.appName(opts);
      await ctx.out.progress(`Resetting ${keys.join(', ')} on ${app}`, () => ctx.client().patch(`/v1/apps/${enc(app)}/settings`, Object.fromEntries(keys.map((k) => [k, null]))));
    });
}
