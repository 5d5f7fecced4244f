import { mkdirSync, readFileSync, rmdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Memory limits through the memory cgroup this daemon itself is in (v1's
 * memory controller or v2's unified tree): one child group per instance.
 * When neither is writable the driver falls back to an rlimit.
 */
export interface CgroupHost {
  /** Creates the group with the limit and returns the file a process writes its pid to. */
  create(id: string, memoryMb: number): string;
  remove(id: string): void;
  /** True when the group hit its limit (the instance was OOM-killed or would be). */
  hitLimit(id: string): boolean;
  readonly kind: 'v1' | 'v2';
}

export function detectCgroup(procSelfCgroup = '/proc/self/cgroup'): CgroupHost | undefined {
  let text: string;
  try {
    text = readFileSync(procSelfCgroup, 'utf8');
  } catch {
    return undefined;
  }
  const v1 = /^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:(.*)$/m.exec(text);
  if (v1?.[1] !== undefined) return tryHost('v1', path.join('/sys/fs/cgroup/memory', v1[1], 'slipway'));
  const v2 = /^0::(.*)$/m.exec(text);
  if (v2?.[1] !== undefined && existsSync('/sys/fs/cgroup/cgroup.controllers')) return tryHost('v2', path.join('/sys/fs/cgroup', v2[1], 'slipway'));
  return undefined;
}

function tryHost(kind: 'v1' | 'v2', base: string): CgroupHost | undefined {
  try {
    mkdirSync(base, { recursive: true });
    if (kind === 'v2') writeFileSync(path.join(path.dirname(base), 'cgroup.subtree_control'), '+memory');
  } catch {
    return undefined; // not writable here: the caller uses rlimits and says so
  }
  const limitFile = kind === 'v1' ? 'memory.limit_in_bytes' : 'memory.max';
  return {
    kind,
    create(id, memoryMb) {
      const dir = path.join(base, id);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, limitFile), String(memoryMb * 1024 * 1024));
      return path.join(dir, 'cgroup.procs');
    },
    remove(id) {
      // a dying process may still be in the group for a moment (EBUSY): try again a few times
      const attempt = (left: number): void => {
        try {
          rmdirSync(path.join(base, id));
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'EBUSY' && left > 0) setTimeout(() => attempt(left - 1), 200).unref();
          else if (code !== 'ENOENT' && code !== 'EBUSY') process.emitWarning(`could not remove cgroup ${id}: ${(err as Error).message}`);
        }
      };
      attempt(10);
    },
    hitLimit(id) {
      try {
        const f = kind === 'v1' ? 'memory.failcnt' : 'memory.events';
        const t = readFileSync(path.join(base, id, f), 'utf8');
        return kind === 'v1' ? Number(t.trim()) > 0 : /^(oom_kill|max) [1-9]/m.test(t);
      } catch {
        return false;
      }
    },
  };
}
