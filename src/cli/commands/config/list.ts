import type { Command } from 'commander';
import { enc, withApp, type Ctx } from '../../context.js';
import { keyValues } from '../../output.js';

export function register(program: Command, ctx: Ctx): void {
  withApp(program.command('config'))
    .description("show an app's config vars")
    .option('--json', 'print JSON')
    .option('-s, --shell', 'print as KEY=value lines (for .env files)')
    .addHelpText('after', '\nExample:\n  $ slipway config -a hello')
    .action(async (opts: { app?: string; json?: boolean; shell?: boolean }) => {
      const app = await ctx.appName(opts);
      const config = await ctx.client().get<Record<string, string>>(`/v1/apps/${enc(app)}/config`);
      if (opts.json) return ctx.out.json(config);
      const entries = Object.entries(config).sort(([a], [b]) => a.localeCompare(b));
      if (opts.shell) {
        for (const [k, v] of entries) ctx.out.out(`${k}=${shellQuote(v)}`);
        return;
      }
      ctx.out.out(`=== ${app} Config Vars`);
      if (entries.length === 0) ctx.out.err(`${app} has no config vars. Set one with \`slipway config:set -a ${app} KEY=value\`.`);
      for (const l of keyValues(entries)) ctx.out.out(l);
    });
}

/** Single-quotes a value for `--shell` output unless it is plainly safe. */
function shellQuote(v: string): string {
  return /^[A-Za-z0-9_\-.,:/@%+=]*$/.test(v) ? v : `'${v.replaceAll("'", "'\\''")}'`;
}
