import { Option, type Command } from 'commander';
import type { StackJson } from '../../../api/schemas.js';
import { readNdjson } from '../../../lib/index.js';
import { Client } from '../../client.js';
import { enc, type Ctx } from '../../context.js';
import { CliError } from '../../errors.js';

interface StackStreamLine {
  progress?: string;
  result?: { id: string; built: boolean; packages: number };
  error?: { code: string; message: string; hint?: string };
}

export function register(program: Command, ctx: Ctx): void {
  program
    .command('stacks')
    .description('list the stacks (Debian root filesystems releases are built and run on)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ slipway stacks')
    .action(async (opts: { json?: boolean }) => {
      const stacks = await ctx.client().get<StackJson[]>('/v1/stacks');
      if (opts.json) return ctx.out.json(stacks);
      if (stacks.length === 0) return ctx.out.err('no stacks yet: build one with `slipway stacks:build`');
      ctx.out.table(
        stacks.map((s) => ({ id: s.id, kind: s.kind, base: s.base, created: s.created, packages: String(s.packages), update: s.newer ?? '-' })),
        ['id', 'kind', 'base', 'created', 'packages', 'update'],
      );
    });

  program
    .command('stacks:build')
    .description('build a new stack version from Debian packages (mmdebstrap; minutes, shown as it goes)')
    .addOption(new Option('--kind <kind>', 'run (what apps run on) or build (plus compilers and headers)').choices(['run', 'build']).default('run'))
    .option('--from <suite>', 'Debian suite', 'bookworm')
    .option('--packages <list>', "extra packages, space- or comma-separated; NAME=VERSION pins a version (e.g. 'libpq5 imagemagick')", '')
    .addHelpText('after', "\nExample:\n  $ slipway stacks:build --packages 'libvips42 tzdata=2025b-0+deb12u1'")
    .action(async (opts: { kind: 'run' | 'build'; from: string; packages: string }) => {
      const packages = opts.packages.split(/[\s,]+/).filter(Boolean);
      const client = ctx.client();
      const res = await client.raw('POST', '/v1/stacks', { body: JSON.stringify({ kind: opts.kind, from: opts.from, packages }), headers: { 'content-type': 'application/json' }, timeoutMs: 60 * 60_000 });
      if (!res.ok || !res.body) throw await Client.failure(res, client.token !== undefined);
      const started = Date.now();
      let result: StackStreamLine['result'];
      for await (const value of readNdjson(res.body)) {
        const msg = value as StackStreamLine;
        if (msg.progress !== undefined) ctx.out.err(`[${Math.round((Date.now() - started) / 1000)}s] ${msg.progress}`);
        if (msg.error) throw new CliError(msg.error.message, msg.error.hint, 1, msg.error.code);
        if (msg.result) result = msg.result;
      }
      if (!result) throw new CliError('the stack build stream ended without a result (the server may have stopped)', 'run the command again: a finished build is taken from the cache');
      ctx.out.err(result.built ? `Built stack ${result.id} (${result.packages} packages)` : `Stack ${result.id} was already built (${result.packages} packages)`);
      ctx.out.out(result.id);
    });

  program
    .command('stacks:sbom')
    .argument('<stack>', 'stack id (see `slipway stacks`)')
    .description("a stack's package list (name, version, source) as SPDX or CycloneDX JSON")
    .addOption(new Option('--format <format>', 'document format').choices(['spdx', 'cyclonedx']).default('spdx'))
    .addHelpText('after', '\nExample:\n  $ slipway stacks:sbom bookworm-run-3f2a9c01d4e5 --format cyclonedx > sbom.json')
    .action(async (id: string, opts: { format: string }) => {
      ctx.out.json(await ctx.client().get<unknown>(`/v1/stacks/${enc(id)}/sbom?format=${enc(opts.format)}`));
    });
}
