import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { enc, withApp, type Ctx } from '../../context.js';
import { usageError } from '../../errors.js';

interface DrainJson {
  id: number;
  url: string;
  token: string;
  queued: number;
  sent: number;
  dropped: number;
  lastError?: string;
}

export function register(program: Command, ctx: Ctx): void {
  withApp(program.command('drains'))
    .description("list an app's log drains, with lines sent, queued and dropped")
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ slipway drains -a hello')
    .action(async (opts: { app?: string; json?: boolean }) => {
      const app = await ctx.appName(opts);
      const { drains } = await ctx.client().get<{ drains: DrainJson[] }>(`/v1/apps/${enc(app)}/drains`);
      if (opts.json) return ctx.out.json(drains);
      if (drains.length === 0) return ctx.out.err(`${app} has no drains. Add one with \`slipway drains:add -a ${app} syslog+tls://HOST:6514\`.`);
      ctx.out.table(
        drains.map((d) => ({ id: String(d.id), url: d.url, token: d.token, sent: String(d.sent), queued: String(d.queued), dropped: String(d.dropped), error: d.lastError ?? '' })),
        ['id', 'url', 'token', 'sent', 'queued', 'dropped', 'error'],
      );
    });

  withApp(program.command('drains:add'))
    .argument('<url>', 'syslog+tls://HOST:PORT, syslog://HOST:PORT (plain TCP) or https://[USER:PASS@]HOST/PATH')
    .option('--ca <file>', 'trust the CA certificate(s) in this PEM file instead of the system CAs (self-signed receivers)')
    .description("send the app's logs to a syslog (RFC 5424) or HTTPS (logplex) receiver")
    .addHelpText('after', '\nExamples:\n  $ slipway drains:add -a hello syslog+tls://logs.example.com:6514\n  $ slipway drains:add -a hello https://user:pass@logs.example.com/ingest')
    .action(async (url: string, opts: { app?: string; ca?: string }) => {
      const app = await ctx.appName(opts);
      let ca: string | undefined;
      if (opts.ca !== undefined) {
        try {
          ca = readFileSync(opts.ca, 'utf8');
        } catch (err) {
          throw usageError(`--ca ${opts.ca}: ${(err as Error).message}`, "give a PEM file with the receiver's CA certificate");
        }
      }
      const d = await ctx.out.progress(`Adding a drain to ${app}`, () => ctx.client().post<DrainJson>(`/v1/apps/${enc(app)}/drains`, { url, ca }));
      ctx.out.out(`${d.url} (token ${d.token})`);
    });

  withApp(program.command('drains:remove'))
    .argument('<url-or-id>', 'the drain URL or its id from `slipway drains`')
    .description("stop sending the app's logs to a drain")
    .addHelpText('after', '\nExample:\n  $ slipway drains:remove -a hello syslog+tls://logs.example.com:6514')
    .action(async (target: string, opts: { app?: string }) => {
      const app = await ctx.appName(opts);
      await ctx.out.progress(`Removing the drain from ${app}`, () => ctx.client().delete(`/v1/apps/${enc(app)}/drains/${enc(target)}`));
    });
}
