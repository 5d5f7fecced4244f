import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { passwdFor, resolveInside, SANDBOX_ENV_FD, type Mount } from '../../lib/index.js';
import { DEFAULT_LIMITS, type Driver, type ExitInfo, type Instance, type InstanceIo, type Limits, type ProcessSpec } from '../driver.js';
import { detectCgroup, type CgroupHost } from './cgroup.js';
import { GATE_FD, instanceArgv, instanceEnv } from './wrapper.js';

const INFO_FD = 3;

/**
 * Runs each instance as a host process: `setpriv --pdeathsig KILL` (dies
 * with the daemon: no orphans), then its cgroups (memory, pids, CPU weight;
 * rlimits for what cgroups cannot do here), then bubblewrap as the app's user.
 */
export class ProcessDriver implements Driver {
  readonly name = 'process';
  private readonly cgroup: CgroupHost | undefined;

  /** `sharedMounts`: read-only host directories every instance sees (the language runtime cache). */
  constructor(
    private readonly runDir: string,
    private readonly opts: { sharedMounts?: Mount[] } = {},
  ) {
    mkdirSync(runDir, { recursive: true, mode: 0o711 });
    this.cgroup = detectCgroup(runDir);
    // groups of instances that died with a previous daemon (kill -9) are empty now
    this.cgroup?.sweep();
  }

  describe(): string {
    if (!this.cgroup) return 'process driver: bubblewrap sandbox; cgroups not writable here, so memory and process limits are rlimits (RLIMIT_DATA, RLIMIT_NPROC per app user)';
    const missing = (['pids', 'cpu'] as const).filter((c) => !this.cgroup?.controllers.includes(c));
    return `process driver: bubblewrap sandbox, limits by cgroup ${this.cgroup.kind} (${this.cgroup.controllers.join(', ')})${missing.length ? `; no ${missing.join('/')} controller here${missing.includes('pids') ? ', so the process limit is RLIMIT_NPROC per app user' : ''}` : ''}`;
  }

  async start(spec: ProcessSpec, io: InstanceIo): Promise<Instance> {
    const files = this.userFiles(spec);
    const limits: Required<Limits> = { ...DEFAULT_LIMITS, ...definedOnly(spec.limits) };
    const argv = ['/usr/bin/setpriv', '--pdeathsig', 'KILL', '--', ...this.limitArgv(spec.id, limits), ...instanceArgv(spec, files, INFO_FD, limits.tmpMb, this.opts.sharedMounts ?? [])];
    if (spec.gated && (spec.argv || spec.tty)) throw new Error('only a Procfile command can be gated');
    const envData = instanceEnv(spec);
    const stdio: ('pipe' | 'ignore')[] = [spec.stdin || spec.tty ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'];
    stdio[GATE_FD] = spec.gated ? 'pipe' : 'ignore';
    stdio[SANDBOX_ENV_FD] = 'pipe';
    // Only PATH for the privileged chain (setpriv, cgroup join, bwrap); the app's env goes through the env fd.
    const child = spawn(argv[0] as string, argv.slice(1), { stdio, env: { PATH: '/usr/bin:/bin' } });
    const envPipe = (child.stdio as unknown as NodeJS.WritableStream[])[SANDBOX_ENV_FD] as NodeJS.WritableStream;
    envPipe.on('error', () => undefined); // it exited before reading: its exit says why
    envPipe.end(envData);
    const gate = spec.gated ? (child.stdio[GATE_FD] as NodeJS.WritableStream) : undefined;
    gate?.on('error', () => undefined); // it may have exited while waiting
    const exited = new Promise<ExitInfo>((resolve) => {
      child.on('close', (code, signal) => {
        const hit = this.cgroup?.limitHit(spec.id);
        if (hit === 'memory') io.onLine('stderr', `slipway: the instance reached its memory limit (${limits.memoryMb} MB) and was killed`);
        if (hit === 'pids') io.onLine('stderr', `slipway: the instance reached its process limit (${limits.pids}); new processes were refused`);
        this.cgroup?.remove(spec.id);
        resolve({ code, signal });
      });
    });
    child.on('error', (err) => io.onLine('stderr', `slipway: could not start: ${err.message}`));
    const stdout = child.stdio[1] as Readable;
    const stderr = child.stdio[2] as Readable;
    if (io.onData) {
      const onData = io.onData;
      stdout.on('data', (b: Buffer) => onData('stdout', b));
      stderr.on('data', (b: Buffer) => onData('stderr', b));
    }
    lines(stdout, (l) => io.onLine('stdout', l));
    lines(stderr, (l) => io.onLine('stderr', l));
    const stdin = child.stdio[0] as NodeJS.WritableStream | null;
    stdin?.on('error', () => undefined); // the instance may exit without reading it all
    const reaper = await sandboxPid(child.stdio[INFO_FD] as Readable, exited);
    const init = reaper === undefined ? undefined : await firstChild(reaper, exited);
    return makeInstance({ id: spec.id, outerPid: child.pid, pid1: init, reaper, exited, stdin: stdin ?? undefined, tty: Boolean(spec.tty), gate });
  }

  private limitArgv(id: string, limits: Required<Limits>): string[] {
    const rlimits: string[] = [];
    let join: string[] = [];
    if (this.cgroup) {
      const procs = this.cgroup.create(id, limits);
      // joins every group before bwrap forks, so each process of the instance is counted
      join = ['sh', '-c', 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; exec "$@"', 'slipway-cgroup', String(procs.length), ...procs];
    } else {
      rlimits.push(`--data=${limits.memoryMb * 1024 * 1024}`);
    }
    // RLIMIT_NPROC counts every process of the app's uid, so it is per app, not per instance: only a fallback
    if (!this.cgroup?.controllers.includes('pids')) rlimits.push(`--nproc=${limits.pids}`);
    return [...join, ...(rlimits.length ? ['prlimit', ...rlimits, '--'] : [])];
  }

  /** passwd/group naming the app user, shared by the app's instances. */
  private userFiles(spec: ProcessSpec): { passwd: string; group: string } {
    const dir = resolveInside(this.runDir, spec.user.name);
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const pw = passwdFor(spec.user.name, spec.user.uid, spec.user.gid, '/home/app');
    const files = { passwd: path.join(dir, 'passwd'), group: path.join(dir, 'group') };
    writeFileSync(files.passwd, pw.passwd, { mode: 0o644 });
    writeFileSync(files.group, pw.group, { mode: 0o644 });
    return files;
  }
}

function makeInstance(o: { id: string; outerPid: number | undefined; pid1: number | undefined; reaper: number | undefined; exited: Promise<ExitInfo>; stdin: NodeJS.WritableStream | undefined; tty: boolean; gate?: NodeJS.WritableStream }): Instance {
  const { id, outerPid, exited, stdin } = o;
  // SIGTERM must reach the init script (it forwards it to the app); signalling
  // bwrap instead would end the sandbox with SIGKILL. If the init was not
  // found at start (a slow fork under load), look again now.
  let pid1 = o.pid1;
  const init = (): number | undefined => (pid1 ??= o.reaper === undefined ? undefined : childOf(o.reaper));
  let done = false;
  void exited.then(() => (done = true));
  const kill = (pid: number | undefined, sig: NodeJS.Signals): void => {
    if (done || !pid) return;
    try {
      process.kill(pid, sig);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  };
  return {
    id,
    pid: outerPid,
    exited,
    stdin,
    resize: (cols, rows) => {
      if (o.tty && stdin && !done) stdin.write(`\x00R${Math.max(1, Math.floor(cols))},${Math.max(1, Math.floor(rows))}\n`);
    },
    signal: (sig) => kill(init() ?? outerPid, sig),
    open: (port) => {
      if (o.gate && !done) o.gate.end(port === undefined ? 'go\n' : `go ${Math.trunc(port)}\n`);
    },
    async stop(graceMs) {
      kill(init() ?? outerPid, 'SIGTERM');
      const timer = setTimeout(() => {
        kill(pid1, 'SIGKILL');
        kill(outerPid, 'SIGKILL');
      }, graceMs);
      const info = await exited;
      clearTimeout(timer);
      return info;
    },
  };
}

/** Reads bwrap's {"child-pid": N} from the info fd (or gives up when the process exits first). */
async function sandboxPid(info: Readable, exited: Promise<ExitInfo>): Promise<number | undefined> {
  let text = '';
  const read = new Promise<number | undefined>((resolve) => {
    info.setEncoding('utf8');
    info.on('data', (s: string) => {
      text += s;
      const m = /"child-pid"\s*:\s*(\d+)/.exec(text);
      if (m) resolve(Number(m[1]));
    });
    info.on('end', () => resolve(undefined));
  });
  return Promise.race([read, exited.then(() => undefined)]);
}

function childOf(pid: number): number | undefined {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return kids ? Number(kids.split(/\s+/)[0]) : undefined;
  } catch {
    return undefined; // the reaper is gone
  }
}

/** The init script: the only child of bwrap's reaper inside the sandbox (it appears right after the reaper starts). */
async function firstChild(pid: number, exited: Promise<ExitInfo>): Promise<number | undefined> {
  let done = false;
  void exited.then(() => (done = true));
  for (let i = 0; i < 200 && !done; i++) {
    const kid = childOf(pid);
    if (kid !== undefined) return kid;
    await new Promise((r) => setTimeout(r, 5));
  }
  return undefined;
}

function lines(stream: Readable, onLine: (l: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (s: string) => {
    rest += s;
    const parts = rest.split('\n');
    rest = parts.pop() ?? '';
    for (const p of parts) onLine(p.replace(/\r$/, ''));
    if (rest.length > 64 * 1024) {
      onLine(rest);
      rest = '';
    }
  });
  stream.on('end', () => {
    if (rest) onLine(rest);
  });
}

function definedOnly(l: Limits): Limits {
  return Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined && v !== null)) as Limits;
}
