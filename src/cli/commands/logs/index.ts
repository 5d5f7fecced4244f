import type { Command } from 'commander';
import { Client } from '../../client.js';
import { enc, withApp, type Ctx } from '../../context.js';

export function register(program: Command, ctx: Ctx): void {
  withApp(program.command('logs'))
    .description("show an app's logs: its processes, the router, builds and platform events")
    .option('-n, --num <n>', 'how many lines', '100')
    .option('-t, --tail', 'keep following new lines')
    .option('-p, --ps <process>', 'only this type (web) or process (web.2)')
    .option('-s, --source <source>', 'only app, router, platform or build')
    .option('-r, --release <version>', 'only lines of this release (v3)')
    .option('--json', 'one JSON object per line')
    .addHelpText('after', '\nExample:\n  $ slipway logs -a hello -n 200 --tail --ps web')
    .action(async (opts: { app?: string; num: string; tail?: boolean; ps?: string; source?: string; release?: string; json?: boolean }) => {
      const app = await ctx.appName(opts);
      const q = new URLSearchParams({ lines: opts.num });
      if (opts.tail) q.set('tail', '1');
      if (opts.ps) q.set('ps', opts.ps);
      if (opts.source) q.set('source', opts.source);
      if (opts.release) q.set('release', opts.release);
      if (opts.json) q.set('format', 'json');
      const client = ctx.client();
      const res = await client.raw('GET', `/v1/apps/${enc(app)}/logs?${q}`, { timeoutMs: opts.tail ? 365 * 24 * 3600_000 : 60_000 });
      if (!res.ok) throw await Client.failure(res, Boolean(client.token));
      for await (const chunk of res.body) process.stdout.write(chunk);
    });
}
