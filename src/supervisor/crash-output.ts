/**
 * What a push shows when a new instance dies before it is up: the app's own
 * output from its start, not the last lines of npm's wrapper noise. Pure, so
 * the trimming rules are tested on their own.
 */

export const CRASH_OUTPUT_LINES = 60;

/** npm's "new version available" notices (`npm notice ...`), which say nothing about the app. */
const NOISE = /^npm notice\b/;
const ERRORISH = /\b(error|exception|traceback|fatal|panic|uncaught|cannot|can't|failed|throw)\b/i;

/**
 * At most `max` lines of `lines` (the output since the process started), npm's
 * notices removed. When it must trim, it keeps the end (where the process
 * died) and the first line that looks like an error, which is usually the
 * cause; a marker says how many lines were left out.
 */
export function crashExcerpt(lines: readonly string[], max = CRASH_OUTPUT_LINES): string[] {
  const kept = lines.filter((l) => !NOISE.test(l));
  if (kept.length <= max) return kept;
  const first = kept.findIndex((l) => ERRORISH.test(l));
  const lastStart = kept.length - (max - 1);
  if (first === -1 || first >= lastStart - 1) {
    return [`… ${kept.length - (max - 1)} earlier lines not shown`, ...kept.slice(kept.length - (max - 1))];
  }
  const tail = kept.slice(kept.length - (max - 2));
  return [kept[first] as string, `… ${kept.length - (max - 2) - 1} lines not shown`, ...tail];
}
