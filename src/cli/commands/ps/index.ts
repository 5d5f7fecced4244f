import type { Command } from 'commander';
import type { InstanceJson, PsJson } from '../../../api/schemas.js';
import { usageError } from '../../errors.js';
import { enc, withApp, type Ctx } from '../../context.js';

export function register(program: Command, ctx: Ctx): void {
  withApp(program.command('ps'))
    .description("list an app's processes and its formation")
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ slipway ps -a hello\n  web.1  up 2m (v3)  npm start\n  web=1 worker=0')
    .action(async (opts: { app?: string; json?: boolean }) => {
      const app = await ctx.appName(opts);
      const ps = await ctx.client().get<PsJson>(`/v1/apps/${enc(app)}/ps`);
      if (opts.json) return ctx.out.json(ps);
      printPs(ctx, app, ps);
    });

  withApp(program.command('ps:scale'))
    .argument('<changes...>', 'TYPE=N or TYPE=N:SIZE (e.g. web=2 worker=1, web=2:512M)')
    .description('scale process types (the formation line of `slipway ps` is accepted back)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ slipway ps:scale -a hello web=3 worker=0')
    .action(async (changes: string[], opts: { app?: string; json?: boolean }) => {
      const app = await ctx.appName(opts);
      const updates = changes.map(parseScale);
      const ps = await ctx.out.progress(`Scaling ${app} to ${changes.join(' ')}`, () => ctx.client().patch<PsJson>(`/v1/apps/${enc(app)}/formation`, { updates }));
      if (opts.json) return ctx.out.json(ps);
      ctx.out.out(formationText(ps));
    });

  withApp(program.command('ps:resize'))
    .argument('<changes...>', 'TYPE=SIZE, e.g. web=512M worker=1G (memory limit per instance)')
    .description('set the memory limit of process types (restarts them)')
    .addHelpText('after', '\nExample:\n  $ slipway ps:resize -a hello web=512M')
    .action(async (changes: string[], opts: { app?: string }) => {
      const app = await ctx.appName(opts);
      const updates = changes.map((c) => {
        const m = /^([A-Za-z0-9_-]+)=(\d+)([MG])$/i.exec(c);
        if (!m) throw usageError(`${c} is not TYPE=SIZE`, 'for example web=512M or worker=1G');
        return { type: m[1], memory_mb: Number(m[2]) * ((m[3] ?? 'M').toUpperCase() === 'G' ? 1024 : 1) };
      });
      await ctx.out.progress(`Resizing ${changes.join(' ')} on ${app}`, () => ctx.client().patch(`/v1/apps/${enc(app)}/formation`, { updates }));
    });

  withApp(program.command('ps:restart'))
    .argument('[process]', 'a type (web) or one process (web.2); default: all')
    .description('restart processes one by one (each new one is up before the old one stops)')
    .addHelpText('after', '\nExample:\n  $ slipway ps:restart -a hello web.2')
    .action(async (which: string | undefined, opts: { app?: string }) => {
      const app = await ctx.appName(opts);
      await ctx.out.progress(`Restarting ${which ?? 'all processes'} of ${app}`, () => ctx.client().post(`/v1/apps/${enc(app)}/ps/restart`, which ? { process: which } : {}));
    });
}

/** `web=3`, `web=2:512M`; anything else is a usage error naming the rule. */
export function parseScale(arg: string): { type: string; quantity: number; memory_mb?: number } {
  const m = /^([A-Za-z0-9_-]{1,63})=(\d{1,4})(?::(\d+)([MG]))?$/i.exec(arg);
  if (!m) throw usageError(`${arg} is not TYPE=N: the count must be a whole number ≥ 0`, 'for example: slipway ps:scale web=2 worker=0');
  const out: { type: string; quantity: number; memory_mb?: number } = { type: m[1] as string, quantity: Number(m[2]) };
  if (m[3]) out.memory_mb = Number(m[3]) * ((m[4] ?? 'M').toUpperCase() === 'G' ? 1024 : 1);
  return out;
}

function printPs(ctx: Ctx, app: string, ps: PsJson): void {
  if (ps.instances.length === 0) ctx.out.err(`${app} has no processes running.`);
  const rows = ps.instances.map((i: InstanceJson) => ({ name: i.name, state: `${i.state} ${ago(i.since)}`, release: i.release, restarts: String(i.restarts), command: i.command }));
  if (rows.length) ctx.out.table(rows, ['name', 'state', 'release', 'restarts', 'command']);
  ctx.out.out(formationText(ps));
}

function formationText(ps: PsJson): string {
  return ps.formation.map((f) => `${f.type}=${f.quantity}${f.memory_mb ? `:${f.memory_mb}M` : ''}`).join(' ');
}

function ago(iso: string): string {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 3600)}h`;
}
