/** Immutable releases (slug + config + process types) and, later, rollback and the slug store. */
export { ReleaseService } from './service.js';
export type { ReleaseRow } from '../state/index.js';
export { packSlug, installReleaseDir, ensureUnpacked, pruneUnpacked, releaseDir, slugFile } from './slugs.js';
/** app.json health checks travel with releases; the supervisor runs them. */
export type { HealthCheck } from '../procfile/index.js';
/** app.json formation (quantity, memory) of a release, for types not yet in the app's formation. */
export { appJsonFormation } from './formation.js';
