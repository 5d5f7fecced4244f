import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { CertJson } from '../../../api/schemas.js';
import { CliError } from '../../errors.js';
import { enc, withApp, type Ctx } from '../../context.js';

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read the ${what} file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function register(program: Command, ctx: Ctx): void {
  withApp(program.command('certs'))
    .description("an app's TLS certificates: domains, issuer, expiry, status")
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ slipway certs -a hello')
    .action(async (opts: { app?: string; json?: boolean }) => {
      const app = await ctx.appName(opts);
      const certs = await ctx.client().get<CertJson[]>(`/v1/apps/${enc(app)}/certs`);
      if (opts.json) return ctx.out.json(certs);
      ctx.out.table(
        certs.map((c) => ({ id: c.id, domains: c.hosts.join(','), issuer: c.issuer, expires: c.not_after, status: c.error ? `${c.status}: ${c.error}` : c.status })),
        ['id', 'domains', 'issuer', 'expires', 'status'],
      );
    });

  withApp(program.command('certs:add'))
    .argument('<cert>', 'PEM file: the certificate chain, leaf first')
    .argument('<key>', 'PEM file: its private key (unencrypted)')
    .description('serve a certificate you bring over HTTPS (chain, key, expiry and domains are checked); one for a name already covered replaces it')
    .addHelpText('after', '\nExample:\n  $ slipway certs:add -a hello fullchain.pem privkey.pem')
    .action(async (certFile: string, keyFile: string, opts: { app?: string }) => {
      const app = await ctx.appName(opts);
      const body = { cert: readPem(certFile, 'certificate'), key: readPem(keyFile, 'key') };
      await ctx.out.progress(`Adding the certificate to ${app}`, () => ctx.client().post<CertJson>(`/v1/apps/${enc(app)}/certs`, body), (c) => `done, ${c.id} for ${c.hosts.join(', ')} until ${c.not_after}`);
    });

  withApp(program.command('certs:remove'))
    .argument('<id>', 'certificate id (see `slipway certs`)')
    .description('stop serving a certificate')
    .addHelpText('after', '\nExample:\n  $ slipway certs:remove -a hello hello-3f2a9c01b7de')
    .action(async (id: string, opts: { app?: string }) => {
      const app = await ctx.appName(opts);
      await ctx.out.progress(`Removing certificate ${id} from ${app}`, () => ctx.client().delete(`/v1/apps/${enc(app)}/certs/${enc(id)}`));
    });
}
