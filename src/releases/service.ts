import { parseConfigPatch } from '../config/index.js';
import { SlipwayError } from '../lib/index.js';
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

  /** A release by version; throws E_RELEASE_NOT_FOUND naming the app's versions. */
  get(appId: number, version: number): ReleaseRow {
    const r = this.store.getRelease(appId, version);
    if (!r) throw new SlipwayError('E_RELEASE_NOT_FOUND', `release v${version} not found`, { hint: 'run `slipway releases` to list them' });
    return r;
  }

  setStatus(appId: number, version: number, status: 'pending' | 'succeeded' | 'failed'): void {
    this.store.setReleaseStatus(appId, version, status);
  }

  /**
   * Rollback is a new release (vN+1) with an earlier release's slug, config
   * and process types: nothing is rebuilt, and the history keeps both.
   * Default target: the release before the current one that has a slug.
   */
  rollback(appId: number, target?: number): ReleaseRow {
    return this.store.appendRelease(appId, (current) => {
      const to = target !== undefined ? this.get(appId, target) : this.previous(appId, current?.version);
      if (!to.slug) throw new SlipwayError('E_VALIDATION', `v${to.version} has no build to roll back to (${to.description})`, { hint: 'pick a release made by a deploy' });
      if (to.status === 'failed') throw new SlipwayError('E_VALIDATION', `v${to.version} failed to deploy; roll back to a release that ran`);
      return { description: `Rollback to v${to.version}`, config: to.config, slug: to.slug, processTypes: to.process_types, appJson: to.app_json, status: 'pending' };
    });
  }

  private previous(appId: number, current: number | undefined): ReleaseRow {
    const prev = this.store.listReleases(appId).find((r) => r.version < (current ?? Infinity) && r.slug && r.status === 'succeeded');
    if (!prev) throw new SlipwayError('E_RELEASE_NOT_FOUND', 'there is no earlier deployed release to roll back to', { hint: 'run `slipway releases`' });
    return prev;
  }

  /** Slug ids of the app's releases, newest first (for pruning unpacked directories). */
  slugsNewestFirst(appId: number): string[] {
    return this.store.listReleases(appId).flatMap((r) => (r.slug ? [r.slug] : []));
  }

  /** Whether a release made by a build ever ran (app.json `env` is applied only before that). */
  hasDeployed(appId: number): boolean {
    return this.store.listReleases(appId).some((r) => r.slug && r.status === 'succeeded');
  }

  config(appId: number): Record<string, string> {
    return this.store.latestRelease(appId)?.config ?? {};
  }

  /**
   * A built slug becomes release vN+1 with the config current at that moment
   * (read in the same transaction). Buildpacks' `config_vars` fill in keys the
   * app has not set, as on Heroku; they never override the app's own. So do
   * app.json's `env` values of a first deploy (planned by the build).
   */
  createFromBuild(appId: number, rel: { slug: string; processTypes: Record<string, string>; description: string; defaultConfig?: Record<string, string>; appEnv?: Record<string, string>; appJson?: unknown }): number {
    return this.store.appendRelease(appId, (latest) => ({
      status: 'pending',
      appJson: rel.appJson ?? null,
      description: rel.description,
      config: { ...validDefaults(rel.defaultConfig ?? {}), ...validDefaults(rel.appEnv ?? {}), ...latest?.config },
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
