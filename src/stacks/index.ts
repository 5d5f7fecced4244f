/**
 * Stacks: versioned Debian root filesystems (a run stack and a build stack)
 * made with mmdebstrap from the machine's apt sources, cached machine-wide by
 * content, with their package lists (SBOM as SPDX or CycloneDX) and rebase:
 * an image's stack layers replaced under its unchanged app layers.
 */
export { StackCache, defaultStackCacheRoot, type Stack, type StackCacheOptions } from './cache.js';
export { defaultRecipe, mergePackages, RUN_PACKAGES, BUILD_PACKAGES, type StackRecipe, type StackKind, type StackVariant } from './recipe.js';
export { parsePackageList, parseDpkgStatus, type PackageRequest, type InstalledPackage } from './dpkg-status.js';
export { spdxDocument, cycloneDxDocument, type SbomFormat, type SbomSubject } from './sbom.js';
export { rebaseImage, adoptStack, stackLabels, STACK_LABEL, REBASABLE_LABEL, REBASABLE_REASON_LABEL } from './rebase.js';
export { StackService, type StackSummary } from './service.js';
