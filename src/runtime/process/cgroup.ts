import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Per-instance cgroups: memory (and swap), pids and CPU weight, under
 * `slipway/` in the groups this daemon itself is in (v1: one hierarchy per
 * controller, as on this machine; v2: the unified tree). Group names start
 * with a key of the daemon's home (`<hash of its run dir>-<instance id>`), so
 * a daemon sweeping the empty groups a killed predecessor left never touches
 * another home's.
 * A controller that is not writable is left out (and said once at start);
 * the driver falls back to rlimits for memory and processes.
 */
export interface CgroupLimits {
  memoryMb: number;
  pids: number;
  /** Relative CPU weight; 1024 = one instance's fair share (v1 cpu.shares). */
  cpuShares: number;
}

export type Controller = 'memory' | 'pids' | 'cpu';

export interface CgroupHost {
  readonly kind: 'v1' | 'v2';
  readonly controllers: readonly Controller[];
  /** Creates the instance's groups with these limits; returns the cgroup.procs files a process writes its pid to. */
  create(id: string, limits: CgroupLimits): string[];
  /** Removes the instance's groups once empty (retrying while its last processes exit). */
  remove(id: string): void;
  /** Which limit the instance ran into, if any (read before remove()). */
  limitHit(id: string): 'memory' | 'pids' | undefined;
  /** Removes every empty group under this home's parent: what a killed daemon left behind. */
  sweep(): number;
}

export function detectCgroup(runDir: string, procSelfCgroup = '/proc/self/cgroup'): CgroupHost | undefined {
  let text: string;
  try {
    text = readFileSync(procSelfCgroup, 'utf8');
  } catch {
    return undefined;
  }
  const key = createHash('sha256').update(path.resolve(runDir)).digest('hex').slice(0, 12);
  const v1 = (c: string): string | undefined => {
    const m = new RegExp(`^\\d+:(?:[^:]*,)?${c}(?:,[^:]*)?:(.*)$`, 'm').exec(text);
    return m?.[1] === undefined ? undefined : path.join('/sys/fs/cgroup', c, m[1], 'slipway');
  };
  if (v1('memory') !== undefined) {
    const bases: Partial<Record<Controller, string>> = {};
    for (const c of ['memory', 'pids', 'cpu'] as const) {
      const base = v1(c);
      if (base !== undefined && tryMkdir(base)) bases[c] = base;
    }
    return bases.memory === undefined ? undefined : v1Host(bases, key);
  }
  const v2 = /^0::(.*)$/m.exec(text);
  if (v2?.[1] !== undefined && existsSync('/sys/fs/cgroup/cgroup.controllers')) {
    const base = path.join('/sys/fs/cgroup', v2[1], 'slipway');
    if (!tryMkdir(base)) return undefined;
    const enabled: Controller[] = [];
    for (const c of ['memory', 'pids', 'cpu'] as const) {
      try {
        writeFileSync(path.join(path.dirname(base), 'cgroup.subtree_control'), `+${c}`);
        writeFileSync(path.join(base, 'cgroup.subtree_control'), `+${c}`);
        enabled.push(c);
      } catch {
        // not delegated to us: that limit comes from an rlimit, or not at all
      }
    }
    return enabled.includes('memory') ? v2Host(base, enabled, key) : undefined;
  }
  return undefined;
}

function tryMkdir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    return true;
  } catch {
    return false;
  }
}

const MB = 1024 * 1024;

function v1Host(bases: Partial<Record<Controller, string>>, key: string): CgroupHost {
  const controllers = Object.keys(bases) as Controller[];
  const dir = (c: Controller, id: string): string => path.join(bases[c] as string, `${key}-${id}`);
  return {
    kind: 'v1',
    controllers,
    create(id, limits) {
      const files: string[] = [];
      for (const c of controllers) {
        const d = dir(c, id);
        mkdirSync(d, { recursive: true });
        if (c === 'memory') {
          writeFileSync(path.join(d, 'memory.limit_in_bytes'), String(limits.memoryMb * MB));
          // with swap on, the limit alone would let the instance swap instead of stopping at its size
          if (existsSync(path.join(d, 'memory.memsw.limit_in_bytes'))) writeFileSync(path.join(d, 'memory.memsw.limit_in_bytes'), String(limits.memoryMb * MB));
        }
        if (c === 'pids') writeFileSync(path.join(d, 'pids.max'), String(limits.pids));
        if (c === 'cpu') writeFileSync(path.join(d, 'cpu.shares'), String(limits.cpuShares));
        files.push(path.join(d, 'cgroup.procs'));
      }
      return files;
    },
    remove(id) {
      for (const c of controllers) removeWhenEmpty(dir(c, id));
    },
    limitHit(id) {
      if (/^oom_kill [1-9]/m.test(readOr(path.join(dir('memory', id), 'memory.oom_control')))) return 'memory';
      if (controllers.includes('pids') && /^max [1-9]/m.test(readOr(path.join(dir('pids', id), 'pids.events')))) return 'pids';
      return undefined;
    },
    sweep() {
      return controllers.reduce((n, c) => n + sweepDir(bases[c] as string, key), 0);
    },
  };
}

function v2Host(base: string, controllers: Controller[], key: string): CgroupHost {
  const dir = (id: string): string => path.join(base, `${key}-${id}`);
  return {
    kind: 'v2',
    controllers,
    create(id, limits) {
      const d = dir(id);
      mkdirSync(d, { recursive: true });
      writeFileSync(path.join(d, 'memory.max'), String(limits.memoryMb * MB));
      if (existsSync(path.join(d, 'memory.swap.max'))) writeFileSync(path.join(d, 'memory.swap.max'), '0');
      if (controllers.includes('pids')) writeFileSync(path.join(d, 'pids.max'), String(limits.pids));
      // cpu.weight 1..10000, default 100 ⇔ v1's 1024 shares
      if (controllers.includes('cpu')) writeFileSync(path.join(d, 'cpu.weight'), String(Math.max(1, Math.min(10_000, Math.round((limits.cpuShares * 100) / 1024)))));
      return [path.join(d, 'cgroup.procs')];
    },
    remove(id) {
      removeWhenEmpty(dir(id));
    },
    limitHit(id) {
      if (/^oom_kill [1-9]/m.test(readOr(path.join(dir(id), 'memory.events')))) return 'memory';
      if (/^max [1-9]/m.test(readOr(path.join(dir(id), 'pids.events')))) return 'pids';
      return undefined;
    },
    sweep() {
      return sweepDir(base, key);
    },
  };
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** A dying process may still be in the group for a moment (EBUSY): try again a few times. */
function removeWhenEmpty(dir: string): void {
  const attempt = (left: number): void => {
    try {
      rmdirSync(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EBUSY' && left > 0) setTimeout(() => attempt(left - 1), 200).unref();
      else if (code !== 'ENOENT') process.emitWarning(`could not remove cgroup ${dir}: ${(err as Error).message}`);
    }
  };
  attempt(25);
}

/** rmdir of this home's child groups: the kernel refuses (EBUSY) those that still hold processes. */
function sweepDir(base: string, key: string): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(base, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name.startsWith(`${key}-`)).map((e) => e.name);
  } catch {
    return 0;
  }
  for (const name of names) {
    try {
      rmdirSync(path.join(base, name));
      removed++;
    } catch {
      // still in use (an instance of a previous daemon still exiting): the next sweep gets it
    }
  }
  return removed;
}
