import type { Db } from './db.js';

export interface UserRow {
  id: number;
  name: string;
  /** 1: may do everything on every app (the first user, `admin`). */
  admin: number;
  created_at: string;
}

export interface TokenRow {
  id: number;
  name: string;
  user_id: number;
  user: string;
  user_admin: number;
  scope: string;
  app_id: number | null;
  app: string | null;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

export interface AccessRow {
  user: string;
  app: string;
  app_id: number;
  role: string;
  created_at: string;
}

export interface AuditRow {
  id: number;
  at: string;
  user: string;
  token_id: number | null;
  method: string;
  path: string;
  app: string | null;
  status: number;
  remote: string;
}

export type NewAudit = Omit<AuditRow, 'id' | 'at'>;

const now = (): string => new Date().toISOString();

const TOKEN_SELECT = `SELECT t.id, t.name, t.user_id, u.name AS user, u.admin AS user_admin, t.scope, t.app_id, a.name AS app,
  t.created_at, t.expires_at, t.last_used_at
  FROM tokens t JOIN users u ON u.id = t.user_id LEFT JOIN apps a ON a.id = t.app_id`;

/** Users, token hashes (never tokens), per-app access and the audit log. */
export class AuthStore {
  constructor(private readonly db: Db) {}

  findUser(name: string): UserRow | undefined {
    return this.db.prepare('SELECT * FROM users WHERE name = ?').get(name) as UserRow | undefined;
  }

  listUsers(): UserRow[] {
    return this.db.prepare('SELECT * FROM users ORDER BY name').all() as UserRow[];
  }

  insertUser(name: string, admin: boolean): UserRow {
    this.db.prepare('INSERT INTO users (name, admin, created_at) VALUES (?, ?, ?)').run(name, admin ? 1 : 0, now());
    return this.findUser(name) as UserRow;
  }

  /** Removes the user with their tokens and access (ON DELETE CASCADE). */
  deleteUser(id: number): void {
    this.db.prepare('DELETE FROM users WHERE id = ?').run(id);
  }

  countAdmins(): number {
    return (this.db.prepare('SELECT COUNT(*) n FROM users WHERE admin = 1').get() as { n: number }).n;
  }

  tokenByHash(hashHex: string): TokenRow | undefined {
    return this.db.prepare(`${TOKEN_SELECT} WHERE t.hash = ?`).get(hashHex) as TokenRow | undefined;
  }

  findToken(id: number): TokenRow | undefined {
    return this.db.prepare(`${TOKEN_SELECT} WHERE t.id = ?`).get(id) as TokenRow | undefined;
  }

  findTokenByName(name: string): TokenRow | undefined {
    return this.db.prepare(`${TOKEN_SELECT} WHERE t.name = ?`).get(name) as TokenRow | undefined;
  }

  listTokens(): TokenRow[] {
    return this.db.prepare(`${TOKEN_SELECT} ORDER BY t.id`).all() as TokenRow[];
  }

  insertToken(t: { name: string; hashHex: string; userId: number; scope: string; appId: number | null; expiresAt: string | null }): TokenRow {
    const r = this.db
      .prepare('INSERT INTO tokens (name, hash, user_id, scope, app_id, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(t.name, t.hashHex, t.userId, t.scope, t.appId, t.expiresAt, now());
    return this.findToken(Number(r.lastInsertRowid)) as TokenRow;
  }

  deleteToken(id: number): boolean {
    return this.db.prepare('DELETE FROM tokens WHERE id = ?').run(id).changes > 0;
  }

  touchToken(id: number, at: string): void {
    this.db.prepare('UPDATE tokens SET last_used_at = ? WHERE id = ?').run(at, id);
  }

  role(userId: number, appId: number): string | undefined {
    return (this.db.prepare('SELECT role FROM access WHERE user_id = ? AND app_id = ?').get(userId, appId) as { role: string } | undefined)?.role;
  }

  /** Names of the apps a user was given access to. */
  appsOf(userId: number): string[] {
    return (this.db.prepare('SELECT a.name FROM access x JOIN apps a ON a.id = x.app_id WHERE x.user_id = ? ORDER BY a.name').all(userId) as { name: string }[]).map((r) => r.name);
  }

  listAccess(appId: number): AccessRow[] {
    return this.db
      .prepare('SELECT u.name AS user, a.name AS app, a.id AS app_id, x.role, x.created_at FROM access x JOIN users u ON u.id = x.user_id JOIN apps a ON a.id = x.app_id WHERE x.app_id = ? ORDER BY u.name')
      .all(appId) as AccessRow[];
  }

  setAccess(userId: number, appId: number, role: string): void {
    this.db
      .prepare('INSERT INTO access (user_id, app_id, role, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (user_id, app_id) DO UPDATE SET role = excluded.role')
      .run(userId, appId, role, now());
  }

  deleteAccess(userId: number, appId: number): boolean {
    return this.db.prepare('DELETE FROM access WHERE user_id = ? AND app_id = ?').run(userId, appId).changes > 0;
  }

  insertAudit(a: NewAudit): void {
    this.db
      .prepare('INSERT INTO audit (at, user, token_id, method, path, app, status, remote) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(now(), a.user, a.token_id, a.method, a.path, a.app, a.status, a.remote);
  }

  /** Newest first. */
  listAudit(q: { app?: string; limit: number }): AuditRow[] {
    if (q.app !== undefined) return this.db.prepare('SELECT * FROM audit WHERE app = ? ORDER BY id DESC LIMIT ?').all(q.app, q.limit) as AuditRow[];
    return this.db.prepare('SELECT * FROM audit ORDER BY id DESC LIMIT ?').all(q.limit) as AuditRow[];
  }

  /** Keeps the newest `keep` entries. */
  pruneAudit(keep: number): void {
    this.db.prepare('DELETE FROM audit WHERE id <= (SELECT MAX(id) FROM audit) - ?').run(keep);
  }
}
