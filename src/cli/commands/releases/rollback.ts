import type { Command } from 'commander';
import { usageError } from '../../errors.js';
import { enc, withApp, type Ctx } from '../../context.js';

export function register(program: Command, ctx: Ctx): void {
  withApp(program.command('rollback'))
    .argument('[release]', 'the release to go back to, e.g. v2 (default: the one before the current)')
    .description("run an earlier release's slug and config again, as a new release (no rebuild)")
    .addHelpText('after', '\nExample:\n  $ slipway rollback -a hello v2')
    .action(async (release: string | undefined, opts: { app?: string }) => {
      const m = release === undefined ? null : /^v?(\d+)$/.exec(release);
      if (release !== undefined && !m) throw usageError(`${release} is not a release version`, 'for example: slipway rollback v2');
      const app = await ctx.appName(opts);
      const body = m ? { version: Number(m[1]) } : {};
      const r = await ctx.out.progress(`Rolling back ${app}${release ? ` to ${release.startsWith('v') ? release : `v${release}`}` : ''}`, () => ctx.client().post<{ release: string; description: string }>(`/v1/apps/${enc(app)}/rollback`, body), (x) => `done, ${x.release}`);
      ctx.out.out(r.release);
    });
}
