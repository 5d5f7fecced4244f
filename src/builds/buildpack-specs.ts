import { parseBuildpackRef } from '../buildpacks/index.js';

/** Checks each spec of `buildpacks:set` now, so a typo fails the command rather than the next push. */
export function validateBuildpackSpecs(specs: string[]): string[] {
  return specs.map((s) => parseBuildpackRef(s.trim()).spec);
}
