import type { Db } from './db.js';

export interface SessionRow {
  token_hash: Buffer;
  csrf: string;
  expires_at: number;
}

/** Dashboard sessions, stored by the hash of their cookie value; each stands for the token it was made from. */
export class SessionStore {
  constructor(private readonly db: Db) {}

  insert(idHash: Buffer, tokenHash: Buffer, csrf: string, expiresAt: number): void {
    this.db.prepare('INSERT INTO sessions (id_hash, token_hash, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(idHash, tokenHash, csrf, new Date().toISOString(), expiresAt);
  }

  find(idHash: Buffer, now: number): SessionRow | undefined {
    return this.db.prepare('SELECT token_hash, csrf, expires_at FROM sessions WHERE id_hash = ? AND expires_at > ?').get(idHash, now) as SessionRow | undefined;
  }

  delete(idHash: Buffer): void {
    this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
  }

  /** Ends every session made from this token (the token was revoked). */
  deleteForToken(tokenHash: Buffer): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash);
  }

  pruneExpired(now: number): void {
    this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now);
  }
}
