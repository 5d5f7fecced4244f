import { readdirSync, readFileSync } from 'node:fs';

/** One process as /proc shows it: its parent, resident memory and CPU time so far. */
export interface ProcInfo {
  ppid: number;
  rssBytes: number;
  cpuMs: number;
}

// USER_HZ is 100 on every Linux this runs on; the page size is 4 KiB on x86-64 and arm64's default kernels.
const TICK_MS = 10;
const PAGE = 4096;

/**
 * Every process's parent, RSS and CPU, read once (callers sum trees from one
 * snapshot instead of scanning /proc per instance). A process that exits
 * while read is left out.
 */
export function readProcTable(root = '/proc'): Map<number, ProcInfo> {
  const table = new Map<number, ProcInfo>();
  for (const name of readdirSync(root)) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`${root}/${name}/stat`, 'latin1');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH') continue;
      throw err;
    }
    const info = parseStat(stat);
    if (info) table.set(Number(name), info);
  }
  return table;
}

/** `/proc/PID/stat`: the command name may hold spaces and parentheses, so fields are counted from the last `)`. */
export function parseStat(stat: string): ProcInfo | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const f = stat.slice(close + 2).split(' ');
  // after the name: state(0) ppid(1) ... utime(11) stime(12) ... rss(21)
  const ppid = Number(f[1]);
  const cpu = Number(f[11]) + Number(f[12]);
  const rss = Number(f[21]);
  if (!Number.isFinite(ppid) || !Number.isFinite(cpu) || !Number.isFinite(rss)) return undefined;
  return { ppid, rssBytes: rss * PAGE, cpuMs: cpu * TICK_MS };
}

/** Children by parent, built once per snapshot. */
export function childrenOf(table: Map<number, ProcInfo>): Map<number, number[]> {
  const kids = new Map<number, number[]>();
  for (const [pid, p] of table) {
    const list = kids.get(p.ppid);
    if (list) list.push(pid);
    else kids.set(p.ppid, [pid]);
  }
  return kids;
}

/** RSS and CPU summed over a process and all its descendants; zero when it is gone. */
export function treeUsage(table: Map<number, ProcInfo>, kids: Map<number, number[]>, root: number): { rssBytes: number; cpuMs: number } {
  let rssBytes = 0;
  let cpuMs = 0;
  const stack = [root];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const p = table.get(pid);
    if (!p) continue;
    rssBytes += p.rssBytes;
    cpuMs += p.cpuMs;
    for (const k of kids.get(pid) ?? []) stack.push(k);
  }
  return { rssBytes, cpuMs };
}
