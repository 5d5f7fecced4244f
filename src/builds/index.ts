/** Builds: per-app queue, workspace, archive checks, detect → compile → release in the sandbox, slug and release. */
export { BuildService, DEFAULT_BUILD_TIMEOUT_MS, type BuildServiceDeps } from './service.js';
export { receiveUpload, DEFAULT_ARCHIVE_LIMITS } from './archive.js';
export type { BuildApp, BuildRecord, BuildRecords, BuildSource, BuildOutcome, ReleaseSink } from './types.js';
export { validateBuildpackSpecs } from './buildpack-specs.js';
