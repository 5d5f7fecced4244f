import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Command } from 'commander';
import { encodeFrame, frameDecoder, RunFrame } from '../../../lib/index.js';
import { CliError, usageError } from '../../errors.js';
import { enc, withApp, type Ctx } from '../../context.js';

interface RunOpts {
  app?: string;
  detach?: boolean;
  timeout?: string;
  tty?: boolean;
}

export function register(program: Command, ctx: Ctx): void {
  withApp(program.command('run'))
    .argument('<command...>', 'the command and its arguments, run as given (no shell unless you ask for one)')
    .description('run a one-off process in a fresh instance of the current release; its output and exit code come back')
    .option('-d, --detach', 'run in the background; output goes to the logs as run.N')
    .option('--timeout <duration>', 'stop it after this long, e.g. 90s, 10m, 2h (default 1h)')
    .option('--no-tty', 'no pseudo-terminal, even when stdin is one')
    .passThroughOptions()
    .addHelpText('after', "\nExamples:\n  $ slipway run -a hello -- node -e 'console.log(process.env.GREETING)'\n  $ slipway run -a hello bash\n  $ slipway run -a hello --detach -- node scripts/backfill.js")
    .action(async (command: string[], opts: RunOpts) => {
      const app = await ctx.appName(opts);
      const timeout_s = opts.timeout === undefined ? undefined : parseDuration(opts.timeout);
      if (opts.detach) {
        const r = await ctx.out.progress(`Running ${command.join(' ')} on ${app} (detached)`, () => ctx.client().post<{ name: string; release: string }>(`/v1/apps/${enc(app)}/runs`, { command, detach: true, timeout_s }), (x) => `up, ${x.name}`);
        ctx.out.err(`Run \`slipway logs -a ${app} --ps ${r.name}\` to see its output.`);
        return;
      }
      const tty = opts.tty !== false && Boolean(process.stdin.isTTY && process.stdout.isTTY);
      process.exitCode = await attach(ctx, app, { command, timeout_s, tty: tty ? { cols: process.stdout.columns || 80, rows: process.stdout.rows || 24 } : undefined });
    });

  withApp(program.command('runs'))
    .description('recent one-off and cron runs: name, command, release, start, duration, exit code')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ slipway runs -a hello')
    .action(async (opts: { app?: string; json?: boolean }) => {
      const app = await ctx.appName(opts);
      const runs = await ctx.client().get<{ name: string; command: string; release: string; started_at: string; duration_ms: number | null; exit_code: number | null; signal: string | null }[]>(`/v1/apps/${enc(app)}/runs`);
      if (opts.json) return ctx.out.json(runs);
      if (runs.length === 0) return ctx.out.err(`${app} has no runs yet.`);
      ctx.out.table(runs.map((r) => ({
        name: r.name,
        release: r.release,
        started: r.started_at,
        duration: r.duration_ms === null ? 'running' : `${(r.duration_ms / 1000).toFixed(1)}s`,
        exit: r.exit_code !== null ? String(r.exit_code) : (r.signal ?? '-'),
        command: r.command,
      })), ['name', 'release', 'started', 'duration', 'exit', 'command']);
    });
}

/** `90`, `90s`, `10m`, `2h` → seconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+)(s|m|h)?$/.exec(s.trim());
  if (!m) throw usageError(`--timeout ${s} is not a duration`, 'for example 90s, 10m or 2h');
  return Number(m[1]) * ({ s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 's' | 'm' | 'h']);
}

/** Opens the run over an HTTP upgrade and relays stdin, stdout, stderr, Ctrl-C and window size; resolves with its exit code. */
function attach(ctx: Ctx, app: string, spec: { command: string[]; timeout_s?: number; tty?: { cols: number; rows: number } }): Promise<number> {
  const client = ctx.client();
  const url = new URL(`${client.url}/v1/apps/${enc(app)}/runs/attach`);
  url.searchParams.set('spec', Buffer.from(JSON.stringify(spec)).toString('base64url'));
  return new Promise((resolve, reject) => {
    const req = http.request(url, { headers: { authorization: `Bearer ${client.token ?? ''}`, connection: 'Upgrade', upgrade: 'slipway-run' } });
    req.on('error', (e) => reject(new CliError(`cannot reach the Slipway server at ${client.url} (${(e as NodeJS.ErrnoException).code ?? e.message})`)));
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        const e = (JSON.parse(body || '{}') as { error?: { message: string; hint?: string } }).error;
        reject(new CliError(e?.message ?? `server answered ${res.statusCode}`, e?.hint));
      });
    });
    req.on('upgrade', (_res, socket: Duplex, head: Buffer) => relay(ctx, socket, head, Boolean(spec.tty), resolve));
    req.end();
  });
}

function relay(ctx: Ctx, socket: Duplex, head: Buffer, tty: boolean, resolve: (code: number) => void): void {
  const stdin = process.stdin;
  let finished = false;
  let interrupts = 0;
  const restore = (): void => {
    if (tty && stdin.isTTY) stdin.setRawMode(false);
    stdin.pause();
  };
  const decode = frameDecoder((type, payload) => {
    if (type === RunFrame.stdout) process.stdout.write(payload);
    else if (type === RunFrame.stderr) process.stderr.write(payload);
    else if (type === RunFrame.started) {
      const s = JSON.parse(payload.toString()) as { name: string; release: string };
      if (tty) ctx.out.err(`Running on ${s.name} (${s.release})...`);
    } else if (type === RunFrame.exit) {
      const e = JSON.parse(payload.toString()) as { code: number | null; signal: string | null };
      finished = true;
      restore();
      resolve(e.code ?? 128 + (signalNumber(e.signal) ?? 9));
    }
  });
  socket.on('data', decode);
  if (head.length) decode(head);
  socket.on('close', () => {
    restore();
    if (!finished) resolve(1);
  });
  if (tty && stdin.isTTY) {
    stdin.setRawMode(true);
    process.stdout.on('resize', () => socket.write(encodeFrame(RunFrame.resize, JSON.stringify({ cols: process.stdout.columns, rows: process.stdout.rows }))));
  } else {
    // without a terminal, Ctrl-C is forwarded as SIGINT; a second one leaves at once
    process.removeAllListeners('SIGINT');
    process.on('SIGINT', () => {
      if (++interrupts > 1) process.exit(130);
      socket.write(encodeFrame(RunFrame.signal, 'SIGINT'));
    });
  }
  stdin.on('data', (b: Buffer) => socket.write(encodeFrame(RunFrame.stdin, b)));
  stdin.on('end', () => socket.write(encodeFrame(RunFrame.stdinEnd)));
  stdin.resume();
}

function signalNumber(sig: string | null): number | undefined {
  const n: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return sig ? n[sig] : undefined;
}
