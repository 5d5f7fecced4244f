import type { Command } from 'commander';
import { enc, withApp, type Ctx } from '../../context.js';

interface CronJson {
  id: string;
  schedule: string;
  command: string;
  timezone: string;
  next_run: string | null;
  last_run: { name: string; started_at: string; exit_code: number | null; signal: string | null; finished_at: string | null } | null;
}

export function register(program: Command, ctx: Ctx): void {
  withApp(program.command('cron'))
    .description("list the app's cron jobs (from app.json): id, schedule, command, next run, last run and its exit code")
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ slipway cron -a hello')
    .action(async (opts: { app?: string; json?: boolean }) => {
      const app = await ctx.appName(opts);
      const jobs = await ctx.client().get<CronJson[]>(`/v1/apps/${enc(app)}/cron`);
      if (opts.json) return ctx.out.json(jobs);
      if (jobs.length === 0) return ctx.out.err(`${app} has no cron jobs. Add them to app.json: {"cron": [{"command": "...", "schedule": "*/5 * * * *"}]}`);
      ctx.out.table(jobs.map((j) => ({
        id: j.id,
        schedule: `${j.schedule}${j.timezone !== 'UTC' ? ` (${j.timezone})` : ''}`,
        next: j.next_run ?? '-',
        last: j.last_run ? `${j.last_run.started_at} → ${j.last_run.finished_at ? (j.last_run.exit_code ?? j.last_run.signal) : 'running'}` : '-',
        command: j.command,
      })), ['id', 'schedule', 'next', 'last', 'command']);
    });

  withApp(program.command('cron:run'))
    .argument('<id>', 'the job id (see `slipway cron`)')
    .description('run a cron job now, as a one-off of the current release (its output goes to the logs)')
    .addHelpText('after', '\nExample:\n  $ slipway cron:run -a hello backup')
    .action(async (id: string, opts: { app?: string }) => {
      const app = await ctx.appName(opts);
      const r = await ctx.out.progress(`Running cron job ${id} on ${app}`, () => ctx.client().post<{ name: string }>(`/v1/apps/${enc(app)}/cron/${enc(id)}/run`, {}), (x) => `up, ${x.name}`);
      ctx.out.err(`Run \`slipway logs -a ${app} --ps cron.${id}\` to see its output.`);
    });
}
