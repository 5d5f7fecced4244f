/** The longest wait between two restarts of a crashing instance. */
export const BACKOFF_CAP_MS = 2 * 60_000;
/** A crash after this long up starts the backoff from zero again. */
export const STABLE_MS = 30_000;

/**
 * Crash restarts: at once after a first crash, then 1 s, 2 s, 4 s … up to
 * 2 min. Only a run that stayed up a while starts the count again; one that
 * never came up (upAt 0) adds to it. Pure: the caller keeps the count and
 * waits on a timer, so a crash loop costs no CPU.
 */
export function nextRestart(prev: { consecutive: number; upAt: number }, now: number): { consecutive: number; delayMs: number } {
  const consecutive = prev.upAt > 0 && now - prev.upAt > STABLE_MS ? 1 : prev.consecutive + 1;
  const delayMs = consecutive <= 1 ? 0 : Math.min(1000 * 2 ** (consecutive - 2), BACKOFF_CAP_MS);
  return { consecutive, delayMs };
}
