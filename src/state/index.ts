/** SQLite state: opening with migrations, and the typed Store every service reads and writes through. */
export { openDb, type Db } from './db.js';
export { Store, type AppRow, type ReleaseRow, type NewRelease } from './store.js';
