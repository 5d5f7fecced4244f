import { formationMemoryMb, type FormationSpec } from '../procfile/index.js';
import type { ReleaseRow } from '../state/index.js';

/**
 * What a release's app.json asks of each process type's formation: how many
 * and how much memory (`memory`, or a Heroku dyno `size`). Used for types
 * the app has no formation for yet, so `ps:scale`/`ps:resize` always win.
 */
export function appJsonFormation(rel: ReleaseRow): Record<string, { quantity?: number; memoryMb?: number }> {
  const formation = (rel.app_json as { formation?: Record<string, FormationSpec> } | null)?.formation ?? {};
  const out: Record<string, { quantity?: number; memoryMb?: number }> = {};
  for (const [type, spec] of Object.entries(formation)) out[type] = { quantity: spec.quantity, memoryMb: formationMemoryMb(spec) };
  return out;
}
