import { SlipwayError } from '../lib/index.js';
import type { AppSlot } from './app-slot.js';
import { crashExcerpt } from './crash-output.js';
import { InstanceExitedError, type Supervised } from './instance.js';
import { retire, retireInBackground } from './retire.js';
import type { AppRuntime, RunnableRelease, SupervisorEvents } from './types.js';

/**
 * One deploy, as Kamal boots an app version: start the new instances (in
 * batches when asked), wait until every new web instance is ready, switch
 * traffic to them, and only then drain and stop the old ones. The undo of a
 * failed start is to stop what was started; the old instances were never
 * touched (except singleton workers with stopFirst, stopped before their
 * successors start).
 */
export async function rollout(slot: AppSlot, fresh: Supervised[], rel: RunnableRelease, events: SupervisorEvents): Promise<void> {
  const app = slot.runtime;
  const hasPrevious = slot.current !== undefined;
  slot.arriving = new Set(fresh);
  try {
    // singleton workers that must never run twice (consumers, schedulers) stop before their successors start
    if (app.stopFirst) await retire(slot, [...slot.instances].filter((s) => !s.isWeb), events);
    const batch = app.batchSize && app.batchSize > 0 ? app.batchSize : fresh.length;
    const started: Supervised[] = [];
    for (let i = 0; i < fresh.length; i += batch) {
      try {
        await startAll(fresh.slice(i, i + batch), hasPrevious);
      } catch (err) {
        await Promise.all(started.map((s) => s.stop(2000, false)));
        throw err;
      }
      started.push(...fresh.slice(i, i + batch));
    }
  } finally {
    slot.arriving = new Set();
  }
  // the switch: the new instances are the app's, the old ones drain and stop in the background
  const old = [...slot.instances];
  slot.instances = new Set(fresh);
  slot.current = rel;
  for (const s of fresh) s.supervise();
  await retireInBackground(slot, old, events);
}

/** The instance names a release runs under a formation (`web.1`, `web.2`, `worker.1`); never the release phase. */
export function plan(app: AppRuntime, rel: RunnableRelease): string[] {
  const names: string[] = [];
  for (const [type, f] of Object.entries(app.formation)) {
    if (rel.processTypes[type] === undefined || type === 'release') continue;
    for (let i = 1; i <= f.quantity; i++) names.push(`${type}.${i}`);
  }
  return names;
}

/** Starts instances and waits for the web ones; on any failure stops them all and throws with their own output. */
export async function startAll(fresh: Supervised[], hasPrevious: boolean): Promise<void> {
  try {
    await Promise.all(fresh.map((s) => s.start()));
    await Promise.all(fresh.filter((s) => s.isWeb).map((s) => s.ready()));
  } catch (err) {
    await Promise.all(fresh.map((s) => s.stop(2000, false)));
    throw deployError(err, fresh, { hasPrevious, readyTimeoutMs: fresh[0]?.readyTimeoutMs ?? 60_000 });
  }
}

/**
 * Why new instances did not come up, with each one's own output from its
 * start (crashExcerpt), and a hint that matches the cause: a crash on start
 * or a web process that never listened. "The previous release keeps running"
 * only when there is one.
 */
function deployError(err: unknown, fresh: Supervised[], o: { hasPrevious: boolean; readyTimeoutMs: number }): SlipwayError {
  const reason = err instanceof Error ? err.message : String(err);
  const outputs = fresh.filter((s) => s.bootOutput.length > 0).map((s) => `output of ${s.name} since it started:\n${crashExcerpt(s.bootOutput).map((l) => `  ${l}`).join('\n')}`);
  const cause = err instanceof InstanceExitedError ? 'the app exited while starting: its own output above says why' : `web processes must listen on $PORT within ${o.readyTimeoutMs / 1000} s`;
  return new SlipwayError('E_DEPLOY_FAILED', [reason, ...outputs].join('\n'), {
    hint: o.hasPrevious ? `${cause}; the previous release keeps running` : cause,
  });
}
