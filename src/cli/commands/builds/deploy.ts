import { PassThrough } from 'node:stream';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { packDirectory } from '../../../lib/index.js';
import { Client } from '../../client.js';
import { followBuild } from '../../build-stream.js';
import { CliError, usageError } from '../../errors.js';
import { enc, withApp, type Ctx } from '../../context.js';

export function register(program: Command, ctx: Ctx): void {
  withApp(program.command('deploy'))
    .argument('[dir]', 'directory to deploy', '.')
    .description('build and release a directory without git: uploads it and streams the build log')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExample:\n  $ slipway deploy -a hello ./my-app')
    .action(async (dir: string, opts: { app?: string; json?: boolean }) => {
      const abs = path.resolve(ctx.cwd, dir);
      if (!statSync(abs, { throwIfNoEntry: false })?.isDirectory()) throw usageError(`${dir} is not a directory`);
      const app = await ctx.appName(opts);
      const client = ctx.client();
      const body = new PassThrough();
      const packed = packDirectory(abs, body);
      ctx.out.err(`Uploading ${dir} to ${app}...`);
      const res = await client.raw('POST', `/v1/apps/${enc(app)}/builds?source=upload`, {
        body,
        headers: { 'content-type': 'application/gzip' },
      }).catch(async (err: unknown) => {
        // A failed pack destroys the body and so the request: report the pack's error, not the network's.
        const packErr = body.errored;
        body.destroy();
        await packed.catch(() => undefined);
        throw packErr ? packError(dir, packErr) : err;
      });
      if (!res.ok) {
        // Refused before the upload ended (no such app, bad token): stop packing, say why.
        body.destroy();
        await packed.catch(() => undefined);
        throw await Client.failure(res, Boolean(client.token));
      }
      await packed.catch((err: unknown) => {
        throw packError(dir, err);
      });
      const final = await followBuild(res.body, (l) => ctx.out.err(l));
      if (opts.json) ctx.out.json(final);
      if (final.result?.status !== 'succeeded') throw new CliError(final.error?.message ?? 'the build failed', final.error?.hint ?? `see the log above, or \`slipway builds:output -a ${app} ${final.result?.build ?? ''}\``);
      if (!opts.json) ctx.out.out(final.result.release ?? '');
    });
}

function packError(dir: string, err: unknown): CliError {
  return new CliError(`could not pack ${dir}: ${err instanceof Error ? err.message : String(err)}`);
}
