/**
 * Schema versions, applied in order inside one transaction each; the applied
 * version lives in SQLite's `user_version`. Never edit a shipped migration:
 * add the next one.
 */
export const migrations: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE apps (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
      );
      CREATE TABLE releases (
        id            INTEGER PRIMARY KEY,
        app_id        INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        version       INTEGER NOT NULL,
        description   TEXT NOT NULL,
        config        TEXT NOT NULL,
        slug          TEXT,
        process_types TEXT NOT NULL DEFAULT '{}',
        status        TEXT NOT NULL DEFAULT 'succeeded',
        created_at    TEXT NOT NULL,
        UNIQUE (app_id, version)
      );
      CREATE TABLE tokens (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL UNIQUE,
        hash       TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
    `,
  },
];
