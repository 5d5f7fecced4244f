import { SlipwayError } from '../lib/index.js';
import type { ReleaseRow, Store } from '../state/index.js';
import { applyConfigPatch, describeConfigChange, parseConfigPatch, type ConfigVars } from './vars.js';

export interface ConfigChange {
  config: ConfigVars;
  /** The release the change created; undefined when nothing actually changed. */
  release: ReleaseRow | undefined;
}

export class ConfigService {
  constructor(private readonly store: Store) {}

  get(appId: number): ConfigVars {
    return this.store.latestRelease(appId)?.config ?? {};
  }

  /**
   * Every effective change is a new release (as on Heroku): it keeps the
   * latest slug and process types and swaps the config. Unsetting absent keys
   * or setting the same values creates none.
   */
  patch(appId: number, input: unknown): ConfigChange {
    const patch = parseConfigPatch(input);
    let created: ReleaseRow | undefined;
    let result: ConfigVars = {};
    try {
      created = this.store.appendRelease(appId, (latest) => {
        const current = latest?.config ?? {};
        result = applyConfigPatch(current, patch);
        const description = describeConfigChange(current, patch);
        if (sameConfig(current, result)) throw new NoChange();
        // pending until the app has restarted on it (a failed restart leaves the config as it was)
        return { description, config: result, slug: latest?.slug ?? null, processTypes: latest?.process_types ?? {}, appJson: latest?.app_json ?? null, status: 'pending' };
      });
    } catch (err) {
      if (!(err instanceof NoChange)) throw err;
    }
    return { config: result, release: created };
  }
}

/** Thrown inside the transaction to roll it back when a patch changes nothing. */
class NoChange extends SlipwayError {
  constructor() {
    super('E_VALIDATION', 'no change');
  }
}

function sameConfig(a: ConfigVars, b: ConfigVars): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}
