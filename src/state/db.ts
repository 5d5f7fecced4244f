import Database from 'better-sqlite3';
import { SlipwayError } from '../lib/index.js';
import { migrations } from './migrations.js';

export type Db = Database.Database;

/**
 * Opens state.db in WAL mode with synchronous=FULL: a transaction that has
 * returned is on disk, so a SIGKILL (or power loss) right after an API answer
 * loses nothing the client was told about.
 */
export function openDb(file: string): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new SlipwayError('E_STATE', `state.db has schema version ${current}, newer than this Slipway knows (${latest})`, {
      hint: 'run the Slipway version that wrote this state, or upgrade this one',
    });
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}
