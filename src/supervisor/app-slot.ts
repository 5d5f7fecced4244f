import type { Supervised } from './instance.js';
import type { AppRuntime, RunnableRelease, SupervisorEvents, WebState, WebTarget } from './types.js';

/** One app's instances as the supervisor holds them; changed only inside the app's queue. */
export interface AppSlot {
  runtime: AppRuntime;
  current: RunnableRelease | undefined;
  instances: Set<Supervised>;
  /** Old instances still shutting down (shown by ps as draining). */
  leaving: Set<Supervised>;
  /** A deploy's new instances before traffic switches to them (shown by ps as starting). */
  arriving: Set<Supervised>;
  /** Old instances draining and stopping after a deploy; stopApp waits for them. */
  retiring: Promise<unknown>;
  /** web.1's sandbox, set up and waiting while the app is scaled to zero (see parking.ts). */
  parked: Supervised | undefined;
  queue: Promise<unknown>;
}

export function newSlot(runtime: AppRuntime): AppSlot {
  return { runtime, current: undefined, instances: new Set(), leaving: new Set(), arriving: new Set(), retiring: Promise.resolve(), queue: Promise.resolve(), parked: undefined };
}

/** Tells the router where the app's traffic goes now: ready web instances, and draining ones finishing their requests. */
export async function publish(slot: AppSlot, events: SupervisorEvents): Promise<void> {
  const web = [...slot.instances].filter((s) => s.isWeb);
  const ready: WebTarget[] = web.filter((s) => s.state === 'up' && s.port !== undefined).map((s) => ({ id: s.id, host: '127.0.0.1', port: s.port as number, state: 'ready' }));
  const draining: WebTarget[] = [...slot.leaving].filter((s) => s.draining && s.port !== undefined).map((s) => ({ id: s.id, host: '127.0.0.1', port: s.port as number, state: 'draining' }));
  const state = webState(web, slot.runtime);
  const reason = state === 'crashed' ? web.find((s) => s.state === 'crashed')?.lastExit : undefined;
  await events.publish(slot.runtime.name, { targets: [...ready, ...draining], state, reason });
}

function webState(web: Supervised[], app: AppRuntime): WebState {
  if (web.some((s) => s.state === 'up')) return 'running';
  if (web.some((s) => s.state === 'starting')) return 'starting';
  if (web.some((s) => s.state === 'crashed')) return 'crashed';
  return (app.formation.web?.quantity ?? 0) > 0 ? 'idle' : 'stopped';
}

/** web.1, web.2, …, worker.1: by type, then by number. */
export const byIndex = (a: Supervised, b: Supervised): number => a.type.localeCompare(b.type) || Number(a.name.split('.').pop()) - Number(b.name.split('.').pop());
