import type { ReleaseRow, Store } from '../state/index.js';

/** Immutable releases v1..vN of an app. Config changes append them (config/); builds and rollbacks will too. */
export class ReleaseService {
  constructor(private readonly store: Store) {}

  list(appId: number): ReleaseRow[] {
    return this.store.listReleases(appId);
  }

  current(appId: number): ReleaseRow | undefined {
    return this.store.latestRelease(appId);
  }
}
