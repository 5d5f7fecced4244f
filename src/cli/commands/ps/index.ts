import type { Command } from 'commander';
import type { AutoscaleJson, InstanceJson, PsJson } from '../../../api/schemas.js';
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

  withApp(program.command('ps:autoscale'))
    .argument('[type]', 'the process type (only web receives requests)', 'web')
    .description('scale a web process type with its load, and to zero when idle (--min 0)')
    .option('--min <n>', 'fewest instances; 0 = scale to zero when idle (default 1)')
    .option('--max <n>', 'most instances')
    .option('--concurrency <n>', 'target requests in flight per instance (default 10)')
    .option('--idle <time>', 'with --min 0: stop after no request for this long, e.g. 60s, 5m (default 5m, at least 10s)')
    .option('--window <time>', 'remove instances only after load stayed below the target this long (default 60s)')
    .option('--off', 'stop autoscaling; the current formation stays (an idle app gets one instance)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ slipway ps:autoscale -a hello web --min 0 --max 4 --concurrency 10 --idle 60s\n  $ slipway ps:autoscale -a hello web --off\n  $ slipway ps:autoscale -a hello          # show the rule')
    .action(async (type: string, opts: { app?: string; min?: string; max?: string; concurrency?: string; idle?: string; window?: string; off?: boolean; json?: boolean }) => {
      const app = await ctx.appName(opts);
      const figures = { min: opts.min, max: opts.max, concurrency: opts.concurrency, idle: opts.idle, window: opts.window };
      const given = Object.entries(figures).filter(([, v]) => v !== undefined);
      if (opts.off && given.length) throw usageError('--off takes no other figures', `turn it off with: slipway ps:autoscale ${type} --off`);
      let ps: PsJson;
      if (opts.off) {
        ps = await ctx.out.progress(`Turning off autoscaling of ${type} on ${app}`, () => ctx.client().delete<PsJson>(`/v1/apps/${enc(app)}/autoscale/${enc(type)}`));
      } else if (given.length === 0) {
        ps = await ctx.client().get<PsJson>(`/v1/apps/${enc(app)}/ps`);
      } else {
        const body = {
          min: count('--min', opts.min),
          max: count('--max', opts.max),
          concurrency: count('--concurrency', opts.concurrency),
          idle_seconds: duration('--idle', opts.idle),
          window_seconds: duration('--window', opts.window),
        };
        ps = await ctx.out.progress(`Autoscaling ${type} of ${app}`, () => ctx.client().put<PsJson>(`/v1/apps/${enc(app)}/autoscale/${enc(type)}`, body));
      }
      if (opts.json) return ctx.out.json(ps.autoscale);
      const rule = ps.autoscale.find((a) => a.type === type);
      ctx.out.out(rule ? autoscaleText(rule) : `${type}: not autoscaled (formation ${formationText(ps) || 'empty'})`);
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

/** A whole number ≥ 0, else a usage error naming the rule. */
function count(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{1,6}$/.test(v)) throw usageError(`${flag} ${v}: must be a whole number of 0 or more`, 'for example: --min 0 --max 4 --concurrency 10');
  return Number(v);
}

/** `90`, `90s`, `5m`, `1h`, `1d` → seconds. */
export function duration(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d{1,7})(s|m|h|d)?$/.exec(v.trim());
  if (!m) throw usageError(`${flag} ${v}: must be a duration such as 30s, 5m or 1h`, 'units: s, m, h, d (a bare number is seconds)');
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
}

const STATUS_TEXT: Record<AutoscaleJson['status'], string> = {
  idle: 'idle (scaled to zero; the next request wakes it)',
  waking: 'waking (holding requests while an instance starts)',
  up: 'up',
  starting: 'starting',
  crashed: 'crashed',
};

function autoscaleText(a: AutoscaleJson): string {
  const zero = a.min === 0 ? `, to zero after ${a.idle_seconds}s idle` : '';
  return `${a.type}: ${STATUS_TEXT[a.status]} — autoscale min ${a.min}, max ${a.max}, ${a.concurrency} in flight per instance${zero}, scale-in window ${a.window_seconds}s`;
}

function printPs(ctx: Ctx, app: string, ps: PsJson): void {
  const idle = ps.autoscale.some((a) => a.status === 'idle');
  if (ps.instances.length === 0 && !idle) ctx.out.err(`${app} has no processes running.`);
  const rows = ps.instances.map((i: InstanceJson) => ({ name: i.name, state: `${i.state} ${ago(i.since)}`, release: i.release, restarts: String(i.restarts), command: i.command }));
  if (rows.length) ctx.out.table(rows, ['name', 'state', 'release', 'restarts', 'command']);
  ctx.out.out(formationText(ps));
  for (const a of ps.autoscale) ctx.out.out(autoscaleText(a));
}

function formationText(ps: PsJson): string {
  return ps.formation.map((f) => `${f.type}=${f.quantity}${f.memory_mb ? `:${f.memory_mb}M` : ''}`).join(' ');
}

function ago(iso: string): string {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 3600)}h`;
}
