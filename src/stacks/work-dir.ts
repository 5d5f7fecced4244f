import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { run } from '../lib/index.js';

/**
 * Removes a stack build's work directory. mmdebstrap (root mode) mounts
 * /proc, /sys and /dev pieces inside its chroot; a build killed half-way can
 * leave them, and a plain recursive delete would walk into them. So first
 * every mount below dir is detached (deepest first), then the tree goes.
 */
export async function removeWorkDir(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  const real = path.resolve(dir);
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => m !== undefined && (m === real || m.startsWith(`${real}/`)))
    .map((m) => m.replace(/\\040/g, ' '))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await run(['umount', '--lazy', m], { allowFailure: true });
  rmSync(real, { recursive: true, force: true });
}

/** Work directories of builds whose process is gone (named PID-RANDOM). */
export async function removeOrphanedWork(root: string): Promise<void> {
  mkdirSync(root, { recursive: true });
  for (const name of readdirSync(root)) {
    const pid = Number(name.split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) await removeWorkDir(path.join(root, name));
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
