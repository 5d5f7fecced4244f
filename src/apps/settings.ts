import { z } from 'zod';
import { SlipwayError } from '../lib/index.js';

/**
 * Per-app settings of how the platform runs the app (Dokku's `ps:set` /
 * `checks:set` in spirit). Seconds, validated with their bounds; unknown keys
 * are refused with the list of known ones.
 */
const seconds = (min: number, max: number) => z.coerce.number().int('must be whole seconds').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);
export const AppSettingsSchema = z.strictObject({
  'stop-timeout': seconds(1, 3600).optional(),
  'drain-timeout': seconds(0, 3600).optional(),
  'deploy-timeout': seconds(1, 3600).optional(),
  'deploy-batch': z.coerce.number().int('must be a whole number').min(0, 'must be 0 (all at once) or more').max(100, 'must be at most 100').optional(),
  'deploy-stop-first': z.coerce.number().int().min(0, 'must be 0 or 1').max(1, 'must be 0 or 1').optional(),
  'guard-window': seconds(0, 86400).optional(),
  'guard-crashes': z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(1000, 'must be at most 1000').optional(),
  'guard-5xx': z.coerce.number().int('must be a whole percentage').min(1, 'must be at least 1').max(100, 'must be at most 100').optional(),
});
export type AppSettings = z.infer<typeof AppSettingsSchema>;

export const SETTING_DOCS: Record<keyof AppSettings, string> = {
  'stop-timeout': 'seconds between SIGTERM and SIGKILL when an instance stops (default 30)',
  'drain-timeout': 'seconds a retiring web instance may finish in-flight requests before SIGTERM (default 30)',
  'deploy-timeout': 'seconds a new web instance has to pass its checks (default 60)',
  'deploy-batch': 'new instances start this many at a time, each batch passing its checks before the next (default 0: all at once)',
  'deploy-stop-first': '1: stop the old worker (non-web) instances before their successors start, for singleton workers that must never run twice (default 0)',
  'guard-window': 'seconds after a deploy during which a crash loop or a jump in 5xx answers rolls back by itself (default 120; 0 turns the guard off)',
  'guard-crashes': 'crashes of the new release within the guard window that trigger the rollback (default 3)',
  'guard-5xx': 'percentage of 5xx answers within the guard window that triggers the rollback, when the previous release was healthy (default 50)',
};

export function parseSettingsPatch(input: unknown): Partial<Record<keyof AppSettings, number | null>> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new SlipwayError('E_VALIDATION', 'settings must be an object of KEY: value (null resets to the default)');
  const out: Partial<Record<keyof AppSettings, number | null>> = {};
  for (const [k, v] of Object.entries(input)) {
    if (!(k in SETTING_DOCS)) throw new SlipwayError('E_VALIDATION', `unknown setting ${JSON.stringify(k.slice(0, 40))}`, { hint: `known settings: ${Object.keys(SETTING_DOCS).join(', ')}` });
    const key = k as keyof AppSettings;
    if (v === null) {
      out[key] = null;
      continue;
    }
    const r = AppSettingsSchema.safeParse({ [key]: v });
    if (!r.success) throw new SlipwayError('E_VALIDATION', `${key}: ${r.error.issues[0]?.message ?? 'invalid'}`, { hint: SETTING_DOCS[key] });
    out[key] = r.data[key] as number;
  }
  return out;
}
