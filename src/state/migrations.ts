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
  {
    version: 2,
    sql: `
      ALTER TABLE apps ADD COLUMN uid INTEGER;
      ALTER TABLE apps ADD COLUMN buildpacks TEXT NOT NULL DEFAULT '[]';
      CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      UPDATE apps SET uid = 70000 + id;
      INSERT INTO counters (name, value) SELECT 'uid', COALESCE(MAX(uid), 70000) FROM apps;
      CREATE TABLE builds (
        id              TEXT PRIMARY KEY,
        app_id          INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        seq             INTEGER NOT NULL,
        status          TEXT NOT NULL,
        source          TEXT NOT NULL,
        commit_sha      TEXT,
        release_version INTEGER,
        buildpacks      TEXT NOT NULL DEFAULT '[]',
        error           TEXT,
        created_at      TEXT NOT NULL,
        finished_at     TEXT,
        UNIQUE (app_id, seq)
      );
    `,
  },
  {
    version: 3,
    sql: `
      ALTER TABLE releases ADD COLUMN app_json TEXT;
      CREATE TABLE formation (
        app_id    INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        type      TEXT NOT NULL,
        quantity  INTEGER NOT NULL,
        memory_mb INTEGER,
        PRIMARY KEY (app_id, type)
      );
      CREATE TABLE domains (
        hostname   TEXT PRIMARY KEY,
        app_id     INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 4,
    sql: `ALTER TABLE apps ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';`,
  },
  {
    version: 5,
    sql: `
      CREATE TABLE runs (
        id          INTEGER PRIMARY KEY,
        app_id      INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        name        TEXT NOT NULL,
        kind        TEXT NOT NULL,
        job         TEXT,
        command     TEXT NOT NULL,
        release     INTEGER NOT NULL,
        detached    INTEGER NOT NULL DEFAULT 0,
        started_at  TEXT NOT NULL,
        finished_at TEXT,
        exit_code   INTEGER,
        signal      TEXT
      );
      CREATE INDEX runs_by_app ON runs (app_id, id);
      CREATE TABLE cron_state (
        app_id      INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        job         TEXT NOT NULL,
        last_run_at TEXT NOT NULL,
        PRIMARY KEY (app_id, job)
      );
    `,
  },
  {
    version: 6,
    sql: `
      CREATE TABLE autoscale (
        app_id       INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        type         TEXT NOT NULL,
        enabled      INTEGER NOT NULL,
        min_q        INTEGER NOT NULL,
        max_q        INTEGER NOT NULL,
        concurrency  INTEGER NOT NULL,
        idle_s       INTEGER NOT NULL,
        window_s     INTEGER NOT NULL,
        updated_at   TEXT NOT NULL,
        PRIMARY KEY (app_id, type)
      );
    `,
  },
  {
    version: 7,
    sql: `
      CREATE TABLE metric_points (
        app_id INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        res    INTEGER NOT NULL,
        t      INTEGER NOT NULL,
        data   TEXT NOT NULL,
        PRIMARY KEY (app_id, res, t)
      ) WITHOUT ROWID;
      `,
  },
  {
    version: 8,
    sql: `
      CREATE TABLE sessions (
        id_hash    BLOB PRIMARY KEY,
        token_hash BLOB NOT NULL,
        csrf       TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
    `,
  },
  {
    // Users, scoped tokens, per-app access and the audit log (issue 14). The
    // token that existed before (the admin token) becomes the admin user's.
    version: 9,
    sql: `
      CREATE TABLE users (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL UNIQUE,
        admin      INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
      );
      INSERT INTO users (name, admin, created_at) VALUES ('admin', 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
      ALTER TABLE tokens ADD COLUMN user_id INTEGER REFERENCES users(id) ON DELETE CASCADE;
      ALTER TABLE tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'admin';
      ALTER TABLE tokens ADD COLUMN app_id INTEGER REFERENCES apps(id) ON DELETE CASCADE;
      ALTER TABLE tokens ADD COLUMN expires_at TEXT;
      ALTER TABLE tokens ADD COLUMN last_used_at TEXT;
      UPDATE tokens SET user_id = (SELECT id FROM users WHERE name = 'admin');
      CREATE UNIQUE INDEX tokens_by_hash ON tokens (hash);
      CREATE TABLE access (
        user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        app_id     INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        role       TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (user_id, app_id)
      );
      CREATE TABLE audit (
        id       INTEGER PRIMARY KEY,
        at       TEXT NOT NULL,
        user     TEXT NOT NULL,
        token_id INTEGER,
        method   TEXT NOT NULL,
        path     TEXT NOT NULL,
        app      TEXT,
        status   INTEGER NOT NULL,
        remote   TEXT NOT NULL
      );
      CREATE INDEX audit_by_app ON audit (app, id);
    `,
  },
  {
    version: 10,
    sql: `
      CREATE TABLE drains (
        id         INTEGER PRIMARY KEY,
        app_id     INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
        url        TEXT NOT NULL,
        token      TEXT NOT NULL,
        ca         TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (app_id, url)
      );
    `,
  },
];
