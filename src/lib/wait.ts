export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  what?: string;
}

/**
 * Polls fn until it returns a value other than undefined/false, or throws after
 * the deadline with the last value seen (never sleep-and-hope).
 */
export async function waitFor<T>(fn: () => T | undefined | false | Promise<T | undefined | false>, opts: WaitOptions): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what ?? 'condition'} (last: ${seen})`);
    }
    await sleep(opts.intervalMs ?? 25);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
