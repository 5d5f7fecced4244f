import { publish, type AppSlot } from './app-slot.js';
import type { Supervised } from './instance.js';
import type { SupervisorEvents } from './types.js';

/**
 * Taking instances out, as a load balancer deregisters: the router stops
 * sending new requests to the old web instances (drain) while in-flight ones
 * finish, up to the drain deadline; then they leave the pool and get SIGTERM
 * (SIGKILL after the grace period).
 */
export async function retire(slot: AppSlot, old: Supervised[], events: SupervisorEvents, graceMs = slot.runtime.graceMs): Promise<void> {
  await leave(slot, old, events);
  await finish(slot, old, events, graceMs);
}

/**
 * The same without holding the app's queue: publishes without the old
 * instances, then drains and stops them in the background (ps shows them
 * draining), so a deploy is done — and the next one, or a rollback, can
 * start — as soon as the new release serves. stopApp waits for them.
 */
export async function retireInBackground(slot: AppSlot, old: Supervised[], events: SupervisorEvents): Promise<void> {
  await leave(slot, old, events);
  const done = finish(slot, old, events, slot.runtime.graceMs);
  slot.retiring = slot.retiring.then(() => done);
  void done.catch((e: Error) => events.log(slot.runtime.name, { source: 'platform', line: `Stopping old instances failed: ${e.message}` }));
}

async function leave(slot: AppSlot, old: Supervised[], events: SupervisorEvents): Promise<void> {
  for (const s of old) {
    slot.instances.delete(s);
    slot.leaving.add(s);
    s.beginDrain();
  }
  await publish(slot, events);
}

async function finish(slot: AppSlot, old: Supervised[], events: SupervisorEvents, graceMs: number): Promise<void> {
  await drain(slot, old.filter((s) => s.draining), events);
  for (const s of old) s.endDrain();
  await publish(slot, events);
  await Promise.all(old.map((s) => s.stop(graceMs)));
  for (const s of old) slot.leaving.delete(s);
}

/** The router's drain (it counts the in-flight requests); past the deadline the rest are cut when the instances stop. */
async function drain(slot: AppSlot, web: Supervised[], events: SupervisorEvents): Promise<void> {
  if (!events.drain || web.length === 0) return;
  const left = await events.drain(slot.runtime.name, web.map((s) => s.id), slot.runtime.drainMs ?? 30_000).catch(() => 0);
  if (left > 0) events.log(slot.runtime.name, { source: 'platform', line: `Drain deadline passed with ${left} request(s) still in flight; stopping the old instances` });
}
