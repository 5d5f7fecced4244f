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

  /** A built slug becomes release vN+1 with the config current at that moment (read in the same transaction). */
  createFromBuild(appId: number, rel: { slug: string; processTypes: Record<string, string>; description: string }): number {
    return this.store.appendRelease(appId, (latest) => ({
      description: rel.description,
      config: latest?.config ?? {},
      slug: rel.slug,
      processTypes: rel.processTypes,
    })).version;
  }
}
