import type { AppSlot } from './app-slot.js';
import type { Supervised } from './instance.js';
import { setupKey } from './process-spec.js';
import type { RunnableRelease } from './types.js';

/** The parked sandbox, when it is this release's `name` and still waiting; the caller starts it. */
export function takeParked(slot: AppSlot, rel: RunnableRelease, name: string): Supervised | undefined {
  const p = slot.parked;
  if (!p || p.name !== name || !p.isParked || p.setupKey !== setupKey(slot.runtime, rel, p.type)) return undefined;
  slot.parked = undefined;
  return p;
}

/**
 * While an app that scales to zero has no web instance, one sandbox for
 * web.1 of the current release waits at its gate: nothing of the app runs
 * in it, and a wake skips the sandbox set-up. Replaced on a new release (or
 * a new memory limit or timeouts), ended once web runs again or the app stops.
 */
export async function syncParked(slot: AppSlot, newWeb1: () => Supervised, log: (line: string) => void): Promise<void> {
  const rel = slot.current;
  const app = slot.runtime;
  const want = app.parkWhenIdle === true && rel !== undefined && rel.processTypes.web !== undefined && (app.formation.web?.quantity ?? 0) === 0 && ![...slot.instances].some((s) => s.isWeb);
  const p = slot.parked;
  if (p && (!want || !p.isParked || !rel || p.setupKey !== setupKey(app, rel, 'web'))) {
    slot.parked = undefined;
    await p.unpark();
  }
  if (!want || slot.parked || !rel) return;
  const s = newWeb1();
  slot.parked = s;
  try {
    await s.park();
  } catch (err) {
    slot.parked = undefined;
    log(`Could not prepare a sandbox for the next wake (it will start from scratch): ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Ends the parked sandbox (the app stops). */
export async function unparkAll(slot: AppSlot): Promise<void> {
  const parked = slot.parked;
  slot.parked = undefined;
  await parked?.unpark();
}
