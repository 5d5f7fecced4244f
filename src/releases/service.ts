import { parseConfigPatch } from '../config/index.js';
import type { ReleaseRow, Store } from '../state/index.js';

/** Immutable releases v1..vN of an app. Config changes (config/) and builds append them. */
export class ReleaseService {
  constructor(private readonly store: Store) {}

  list(appId: number): ReleaseRow[] {
    return this.store.listReleases(appId);
  }

  current(appId: number): ReleaseRow | undefined {
    return this.store.latestRelease(appId);
  }

  config(appId: number): Record<string, string> {
    return this.store.latestRelease(appId)?.config ?? {};
  }

  /**
   * A built slug becomes release vN+1 with the config current at that moment
   * (read in the same transaction). Buildpacks' `config_vars` fill in keys the
   * app has not set, as on Heroku; they never override the app's own.
   */
  createFromBuild(appId: number, rel: { slug: string; processTypes: Record<string, string>; description: string; defaultConfig?: Record<string, string> }): number {
    return this.store.appendRelease(appId, (latest) => ({
      description: rel.description,
      config: { ...validDefaults(rel.defaultConfig ?? {}), ...latest?.config },
      slug: rel.slug,
      processTypes: rel.processTypes,
    })).version;
  }
}

/** Buildpack config_vars pass the same rules as the user's; invalid ones are dropped. */
function validDefaults(vars: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) {
    try {
      parseConfigPatch({ [k]: v });
      out[k] = v;
    } catch {
      continue; // e.g. an empty key from unusual bin/release YAML, or PORT
    }
  }
  return out;
}
