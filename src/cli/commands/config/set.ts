import type { Command } from 'commander';
import type { ConfigPatchJson } from '../../../api/schemas.js';
import { usageError } from '../../errors.js';
import { enc, withApp, type Ctx } from '../../context.js';
import { keyValues } from '../../output.js';

export function register(program: Command, ctx: Ctx): void {
  withApp(program.command('config:set'))
    .argument('<pairs...>', 'KEY=value pairs')
    .description('set config vars (creates a new release)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ slipway config:set -a hello GREETING=hi "MOTTO=two words"')
    .action(async (pairs: string[], opts: { app?: string; json?: boolean }) => {
      const patch: Record<string, string> = {};
      for (const p of pairs) {
        const i = p.indexOf('=');
        if (i <= 0) throw usageError(`${p.split('=')[0] || p} is invalid: must be in the form KEY=value`, 'for example: slipway config:set GREETING=hi');
        patch[p.slice(0, i)] = p.slice(i + 1);
      }
      const app = await ctx.appName(opts);
      const keys = Object.keys(patch).join(', ');
      const res = await ctx.out.progress(`Setting ${keys} and restarting ${app}`, () => ctx.client().patch<ConfigPatchJson>(`/v1/apps/${enc(app)}/config`, patch), doneText);
      if (opts.json) return ctx.out.json(res);
      for (const l of keyValues(Object.entries(patch))) ctx.out.out(l);
    });
}

export function doneText(r: ConfigPatchJson): string {
  return r.release ? `done, ${r.release}` : 'done, no change';
}
