/** SQLite state: opening with migrations, and the typed stores every service reads and writes through. */
export { openDb, type Db } from './db.js';
export { Store, type AppRow, type ReleaseRow, type NewRelease, type FormationRow } from './store.js';
export { BuildStore, type BuildRow, type BuildStatus } from './builds.js';
export { RunStore, type RunRow } from './runs.js';
export { AutoscaleStore, type AutoscaleRow, type AutoscaleRule } from './autoscale.js';
export { MetricStore, type MetricRow } from './metrics.js';
export { AuthStore, type UserRow, type TokenRow, type AccessRow, type AuditRow, type NewAudit } from './auth.js';
export { SessionStore, type SessionRow } from './sessions.js';
export { DrainStore, type DrainRow } from './drains.js';
