// Each app's backend has a fixed pool of server slots (s1..sN). A target
// change only re-points slots through the runtime API (`set server addr`,
// `set server state`), which takes effect at once in the running worker
// without a reload. The pool grows (the router then reloads) only when an app
// needs more slots than it has.

/** A target as HAProxy sees it: the host already resolved to an IP address. */
export interface SlotTarget {
  id: string;
  addr: string;
  port: number;
  state: 'ready' | 'draining';
}

export interface SlotTable {
  slots: (SlotTarget | undefined)[];
  /** When each slot was last freed, on `clock`; 0 = never used. */
  freedAt: number[];
  clock: number;
}

/** Enough for web=4 during a deploy that starts 4 new before stopping 4 old, so scaling rarely reloads. */
export const MIN_SLOTS = 8;

export const slotName = (i: number): string => `s${i + 1}`;

function poolSize(n: number): number {
  let size = MIN_SLOTS;
  while (size < n) size *= 2;
  return size;
}

/**
 * Assigns targets to slots: a target keeps its slot while its id stays; a new
 * one takes the free slot freed longest ago, so a slot that may still carry a
 * removed target's last requests (and log lines) is reused last.
 */
export function planSlots(prev: SlotTable | undefined, targets: SlotTarget[]): SlotTable {
  const size = Math.max(prev?.slots.length ?? 0, poolSize(targets.length));
  const slots: (SlotTarget | undefined)[] = new Array(size).fill(undefined);
  const freedAt = Array.from({ length: size }, (_, i) => prev?.freedAt[i] ?? 0);
  let clock = prev?.clock ?? 0;
  const fresh: SlotTarget[] = [];
  for (const t of targets) {
    const i = prev?.slots.findIndex((s) => s?.id === t.id) ?? -1;
    if (i >= 0) slots[i] = t;
    else fresh.push(t);
  }
  prev?.slots.forEach((s, i) => {
    if (s && slots[i] === undefined) freedAt[i] = ++clock;
  });
  const free = slots.map((s, i) => (s === undefined ? i : -1)).filter((i) => i >= 0).sort((a, b) => (freedAt[a] ?? 0) - (freedAt[b] ?? 0));
  fresh.forEach((t, k) => {
    slots[free[k] as number] = t;
  });
  return { slots, freedAt, clock };
}

/**
 * Runtime API commands that turn `prev` into `next` for one backend (all
 * slots when `prev` is undefined: a full resync). New and re-readied targets
 * come first, drains second and removals last, so there is always a ready
 * target while one exists on either side.
 */
export function slotCommands(backend: string, prev: SlotTable | undefined, next: SlotTable): string[] {
  const ready: string[] = [];
  const drain: string[] = [];
  const maint: string[] = [];
  next.slots.forEach((n, i) => {
    const srv = `${backend}/${slotName(i)}`;
    const p = prev?.slots[i];
    if (!n) {
      if (p || !prev) maint.push(`set server ${srv} state maint`);
      return;
    }
    const moved = !prev || !p || p.id !== n.id || p.addr !== n.addr || p.port !== n.port;
    const cmds = moved ? [`set server ${srv} addr ${n.addr} port ${n.port}`] : [];
    if (moved || p?.state !== n.state) cmds.push(`set server ${srv} state ${n.state === 'ready' ? 'ready' : 'drain'}`);
    (n.state === 'ready' ? ready : drain).push(...cmds);
  });
  return [...ready, ...drain, ...maint];
}

/** The target id a slot carries now, for log lines and stats. */
export function targetAt(table: SlotTable | undefined, slot: string): SlotTarget | undefined {
  const m = /^s(\d+)$/.exec(slot);
  return m ? table?.slots[Number(m[1]) - 1] : undefined;
}
