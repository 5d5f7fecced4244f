// `show stat` CSV → per-app figures. In-flight counts are summed over every
// worker: after a reload the old worker still carries requests it accepted.
import { slotName, type SlotTable } from './slots.js';
import type { AppStats } from './types.js';

export interface StatRow {
  px: string;
  sv: string;
  scur: number;
  rate: number;
  stot: number;
  status: string;
}

export function parseShowStat(csv: string): StatRow[] {
  const lines = csv.split('\n');
  const header = lines.find((l) => l.startsWith('# '));
  if (!header) return [];
  const cols = header.slice(2).split(',');
  const at = (name: string): number => cols.indexOf(name);
  const [px, sv, scur, rate, status, stot] = [at('pxname'), at('svname'), at('scur'), at('rate'), at('status'), at('stot')];
  const rows: StatRow[] = [];
  for (const l of lines) {
    if (!l || l.startsWith('#')) continue;
    const f = l.split(',');
    rows.push({ px: f[px] ?? '', sv: f[sv] ?? '', scur: Number(f[scur]) || 0, rate: Number(f[rate]) || 0, stot: Number(f[stot]) || 0, status: f[status] ?? '' });
  }
  return rows;
}

/** Rows by `backend/server`: with a thousand apps `show stat` has ten thousand rows, read every second. */
export type StatIndex = Map<string, StatRow>;

export function indexStats(rows: StatRow[]): StatIndex {
  return new Map(rows.map((r) => [`${r.px}/${r.sv}`, r]));
}

/** HAProxy's status words as the router's target states. */
function targetState(status: string, wanted: 'ready' | 'draining'): string {
  if (status === 'UP' || status === 'no check' || status === 'OPEN') return 'ready';
  if (status === 'DRAIN') return 'draining';
  // A draining target is written disabled in a fresh config (see config.ts): maint there means draining.
  if (status === 'MAINT') return wanted === 'draining' ? 'draining' : 'maint';
  return status.toLowerCase() || 'unknown';
}

/**
 * Figures for one app's backend. `current` is the serving worker (for
 * states), `all` every worker including old ones (for counts).
 */
export function appStats(backend: string, table: SlotTable, current: StatIndex, all: StatIndex[]): AppStats {
  const sum = (sv: string, k: 'scur' | 'rate' | 'stot'): number => all.reduce((s, rows) => s + (rows.get(`${backend}/${sv}`)?.[k] ?? 0), 0);
  const out: AppStats = { inflight: sum('BACKEND', 'scur'), rate: sum('BACKEND', 'rate'), total: sum('BACKEND', 'stot'), targets: {} };
  table.slots.forEach((t, i) => {
    if (!t) return;
    const status = current.get(`${backend}/${slotName(i)}`)?.status ?? '';
    out.targets[t.id] = { inflight: sum(slotName(i), 'scur'), state: targetState(status, t.state) };
  });
  return out;
}
