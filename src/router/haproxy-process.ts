// HAProxy as a supervised child: master-worker mode in the foreground, its
// stderr forwarded line by line, restarted with backoff if it dies.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { run, SlipwayError, waitFor } from '../lib/index.js';
import type { RunPaths } from './config.js';
import { showProc, socketCommand, workerCommand, type Workers } from './runtime-api.js';

function findOnPath(name: string, fallbacks: string[]): string | undefined {
  const dirs = name ? (process.env.PATH ?? '').split(path.delimiter).filter(Boolean) : [];
  for (const f of [...dirs.map((d) => path.join(d, name)), ...fallbacks]) {
    try {
      accessSync(f, constants.X_OK);
      return f;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'EACCES') throw err;
    }
  }
  return undefined;
}

/** The haproxy binary to run, or E_ROUTER_UNAVAILABLE saying how to install it. */
export function findHaproxy(explicit?: string): string {
  const bin = explicit?.includes('/') ? findOnPath('', [explicit]) : findOnPath(explicit ?? 'haproxy', explicit ? [] : ['/usr/sbin/haproxy']);
  if (bin) return bin;
  throw new SlipwayError('E_ROUTER_UNAVAILABLE', `HAProxy is not installed${explicit ? ` (looked for ${explicit})` : ''}: apt-get install haproxy`, {
    hint: 'Slipway routes HTTP through HAProxy 2.6 or newer: apt-get install -y haproxy',
  });
}

/**
 * argv for the master: -W master-worker, -db foreground, -q (the per-server
 * state changes of every deploy are not news; alerts still print), -S the
 * master socket. setpriv's parent-death signal makes the master die with the
 * daemon even on SIGKILL; its workers follow the master.
 */
export function haproxyArgs(bin: string, paths: RunPaths, setpriv: string | undefined): string[] {
  const args = [bin, '-W', '-db', '-q', '-S', `${paths.masterSock},mode,600`, '-f', paths.cfg];
  return setpriv ? [setpriv, '--pdeathsig', 'KILL', '--', ...args] : args;
}

/** Rejects with HAProxy's own words when the file does not parse. */
export async function checkConfig(bin: string, file: string): Promise<void> {
  const r = await run([bin, '-c', '-q', '-f', file], { allowFailure: true, timeoutMs: 10_000 });
  if (r.exitCode !== 0) throw new SlipwayError('E_STATE', `router: generated HAProxy configuration is invalid: ${r.stderr.trim().slice(-1500)}`);
}

export interface HaproxyProcessOptions {
  bin: string;
  paths: RunPaths;
  /** Called when HAProxy is back after dying; the running config may predate the last change. */
  onRestarted: () => void;
}

const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5000;

export class HaproxyProcess {
  private child: ChildProcess | undefined;
  private stopping = false;
  private supervising = false;
  private ready = false;
  private backoffMs = 0;
  private startedAt = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly stderrTail: string[] = [];
  private readonly setpriv = findOnPath('setpriv', ['/usr/bin/setpriv']);

  constructor(private readonly opts: HaproxyProcessOptions) {}

  /** True while a master runs whose worker answered. */
  get up(): boolean {
    return this.ready && this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    const [cmd, ...args] = haproxyArgs(this.opts.bin, this.opts.paths, this.setpriv);
    const child = spawn(cmd as string, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.ready = false;
    this.startedAt = Date.now();
    forwardLines(child.stdout, (l) => this.stderrLine(l));
    forwardLines(child.stderr, (l) => this.stderrLine(l));
    const exited = new Promise<never>((_, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => reject(new SlipwayError('E_ROUTER_UNAVAILABLE', `haproxy exited (${signal ?? code}) while starting: ${this.stderrTail.join(' / ')}`)));
    });
    exited.catch(() => undefined); // settled by the race below or by a later exit
    child.once('exit', (code, signal) => this.onExit(child, code, signal));
    try {
      await Promise.race([exited, this.waitReady()]);
    } catch (err) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      throw err;
    }
    this.ready = true;
    this.supervising = true;
  }

  /** Hitless reload through the master; resolves once a new worker serves. */
  async reload(): Promise<void> {
    const before = await showProc(this.opts.paths.masterSock);
    await socketCommand(this.opts.paths.masterSock, 'reload');
    const known = new Set([...before.current, ...before.old]);
    const after = await waitFor(
      async () => {
        const w = await showProc(this.opts.paths.masterSock); // refused while the master re-executes: polled again
        return (w.failed > before.failed || w.current.some((p) => !known.has(p))) && w;
      },
      { timeoutMs: 10_000, intervalMs: 10, what: 'a new haproxy worker after reload' },
    );
    if (after.failed > before.failed) throw new SlipwayError('E_STATE', `haproxy reload failed, the old worker keeps serving: ${this.stderrTail.join(' / ')}`);
    // The master tells the old workers to stop only once the new one is ready;
    // until then they still accept connections, with the old config (a new
    // app would 404 there). The change is live once they all stopped listening.
    await waitFor(async () => (await Promise.all(before.current.map((pid) => this.workerStopping(pid)))).every(Boolean), {
      timeoutMs: 10_000,
      intervalMs: 5,
      what: 'the old haproxy workers to stop accepting',
    });
  }

  private async workerStopping(pid: number): Promise<boolean> {
    const info = await workerCommand(this.opts.paths.masterSock, pid, 'show info');
    return /^Stopping: 1$/m.test(info) || /Can't find the target PID/.test(info);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    // SIGUSR1: soft stop, in-flight requests finish; whatever remains after 5 s is cut.
    child.kill('SIGUSR1');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  }

  private async waitReady(): Promise<Workers> {
    const w = await waitFor(async () => {
      const procs = await showProc(this.opts.paths.masterSock);
      return procs.current.length > 0 && procs;
    }, { timeoutMs: 10_000, intervalMs: 10, what: 'haproxy to start a worker' });
    await socketCommand(this.opts.paths.adminSock, 'show info');
    return w;
  }

  private stderrLine(line: string): void {
    this.stderrTail.push(line);
    if (this.stderrTail.length > 10) this.stderrTail.shift();
    process.stderr.write(`haproxy: ${line}\n`);
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child || this.stopping || !this.supervising) return;
    // Quick after a long run; doubling while it keeps dying young.
    this.backoffMs = Date.now() - this.startedAt > 10_000 ? BACKOFF_MIN_MS : Math.min(Math.max(this.backoffMs * 2, BACKOFF_MIN_MS), BACKOFF_MAX_MS);
    process.stderr.write(`haproxy: exited (${signal ?? `code ${code}`}), restarting in ${this.backoffMs} ms\n`);
    this.restartTimer = setTimeout(() => void this.restart(), this.backoffMs);
  }

  private async restart(): Promise<void> {
    if (this.stopping) return;
    try {
      await this.start();
    } catch (err) {
      // The new child's exit handler schedules the next attempt.
      process.stderr.write(`haproxy: restart failed: ${(err as Error).message}\n`);
      return;
    }
    this.opts.onRestarted();
  }
}

function forwardLines(stream: NodeJS.ReadableStream | null, onLine: (l: string) => void): void {
  let buf = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (s: string) => {
    buf += s;
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) onLine(l);
  });
}
