import { createHash, randomBytes } from 'node:crypto';
import { SlipwayError } from '../lib/index.js';
import type { AccessRow, AuditRow, AuthStore, NewAudit, TokenRow, UserRow } from '../state/index.js';
import { authorize, effectiveRole, parseScope, type Need, type Principal, type Scope } from './scopes.js';

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function newToken(): string {
  return `slw_${randomBytes(32).toString('base64url')}`;
}

const USER_RULE = /^[a-z][a-z0-9._-]{0,31}$/;
export function parseUserName(input: unknown): string {
  if (typeof input === 'string' && USER_RULE.test(input)) return input;
  throw new SlipwayError('E_VALIDATION', 'user: 1 to 32 characters, lowercase letters, digits, dots, dashes and underscores, starting with a letter', { hint: 'for example: slipway users:add alice' });
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 7 * 86400 };
/** `30d`, `12h`, `90m`, `3600s`, `2w` → seconds (at most 10 years). */
export function parseDuration(input: unknown, what = 'expires'): number {
  const m = typeof input === 'string' ? /^(\d{1,6})([smhdw])$/.exec(input) : null;
  const s = m ? Number(m[1]) * (UNITS[m[2] as string] as number) : NaN;
  if (!(s > 0 && s <= 3650 * 86400)) throw new SlipwayError('E_VALIDATION', `${what}: give a duration like 30d, 12h or 90m (at most 3650d)`);
  return s;
}

/** last_used_at is written at most this often per token: one fsync per request would cost more than the request. */
const TOUCH_EVERY_MS = 60_000;

/** The audit log keeps this many newest entries. */
const AUDIT_KEEP = 100_000;

export interface AuthDeps {
  store: AuthStore;
  /** An app's id by name, or undefined. */
  appId(name: string): number | undefined;
  now?: () => number;
}

/** Users, tokens, per-app access, the one scope decision, and the audit log. */
export class AuthService {
  private readonly internal = new Map<string, Principal>();
  private readonly now: () => number;
  private recorded = 0;

  constructor(private readonly deps: AuthDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** A token that lives only in this process (git's pre-receive hook): deploy on every app, not audited. */
  addInternalToken(token: string, user: string): void {
    this.internal.set(hashToken(token).toString('hex'), { user, userId: 0, admin: true, tokenId: null, scope: 'deploy', app: null, internal: true });
  }

  /** Who a presented token is, or undefined (unknown, revoked or expired). */
  authenticate(presented: string | undefined): Principal | undefined {
    return presented ? this.principalByHash(hashToken(presented)) : undefined;
  }

  /** The same by the token's SHA-256 (sessions made from a token keep only its hash). */
  principalByHash(hash: Buffer): Principal | undefined {
    const hex = hash.toString('hex');
    const internal = this.internal.get(hex);
    if (internal) return internal;
    const t = this.deps.store.tokenByHash(hex);
    if (!t) return undefined;
    const now = this.now();
    if (t.expires_at && Date.parse(t.expires_at) <= now) return undefined;
    if (!t.last_used_at || now - Date.parse(t.last_used_at) >= TOUCH_EVERY_MS) this.deps.store.touchToken(t.id, new Date(now).toISOString());
    return { user: t.user, userId: t.user_id, admin: t.user_admin === 1, tokenId: t.id, scope: parseScope(t.scope), app: t.app };
  }

  /** Throws E_APP_NOT_FOUND (cannot see the app), E_FORBIDDEN (too little scope) or returns. */
  check(p: Principal, need: Need): void {
    authorize(p, need, (app) => this.roleOn(p, app));
  }

  canSee(p: Principal, app: string): boolean {
    return effectiveRole(p, app, (a) => this.roleOn(p, a)) !== undefined;
  }

  private roleOn(p: Principal, app: string): Scope | undefined {
    const id = this.deps.appId(app);
    const role = id === undefined ? undefined : this.deps.store.role(p.userId, id);
    return role === undefined ? undefined : parseScope(role);
  }

  // --- users

  listUsers(): (UserRow & { apps: string[] })[] {
    return this.deps.store.listUsers().map((u) => ({ ...u, apps: this.deps.store.appsOf(u.id) }));
  }

  addUser(name: unknown, admin: boolean): UserRow {
    const n = parseUserName(name);
    if (this.deps.store.findUser(n)) throw new SlipwayError('E_CONFLICT', `user ${n} already exists`, { hint: 'run `slipway users` to list users' });
    return this.deps.store.insertUser(n, admin);
  }

  removeUser(name: string): UserRow {
    const u = this.getUser(name);
    if (u.admin === 1 && this.deps.store.countAdmins() <= 1) {
      throw new SlipwayError('E_CONFLICT', `${name} is the last admin user`, { hint: 'add another admin first: slipway users:add NAME --admin' });
    }
    this.deps.store.deleteUser(u.id);
    return u;
  }

  getUser(name: string): UserRow {
    const u = this.deps.store.findUser(name);
    if (!u) throw new SlipwayError('E_NOT_FOUND', `no user ${name}`, { hint: 'run `slipway users` to list users' });
    return u;
  }

  // --- tokens

  /** Makes a token; the token itself is returned once and only its hash is kept. */
  createToken(opts: { user: string; scope: unknown; app?: string; expires?: unknown; name?: string }): { token: string; row: TokenRow } {
    const user = this.getUser(parseUserName(opts.user));
    const scope = parseScope(opts.scope);
    let appId: number | null = null;
    if (opts.app !== undefined) {
      appId = this.deps.appId(opts.app) ?? null;
      if (appId === null) throw new SlipwayError('E_APP_NOT_FOUND', `app ${opts.app} not found`, { hint: 'run `slipway apps` to list apps' });
    }
    const expiresAt = opts.expires === undefined ? null : new Date(this.now() + parseDuration(opts.expires) * 1000).toISOString();
    const token = newToken();
    const name = opts.name ?? `${user.name}-${scope}${opts.app ? `-${opts.app}` : ''}-${randomBytes(3).toString('hex')}`;
    if (this.deps.store.findTokenByName(name)) throw new SlipwayError('E_CONFLICT', `a token named ${name} exists`, { hint: 'pick another --name' });
    const row = this.deps.store.insertToken({ name, hashHex: hashToken(token).toString('hex'), userId: user.id, scope, appId, expiresAt });
    return { token, row };
  }

  /** Writes the first admin token's hash (the token itself is the caller's to keep). */
  ensureAdminToken(make: () => string): void {
    if (this.deps.store.findTokenByName('admin')) return;
    const admin = this.getUser('admin');
    this.deps.store.insertToken({ name: 'admin', hashHex: hashToken(make()).toString('hex'), userId: admin.id, scope: 'admin', appId: null, expiresAt: null });
  }

  listTokens(): TokenRow[] {
    return this.deps.store.listTokens();
  }

  revokeToken(id: number): TokenRow {
    const t = this.deps.store.findToken(id);
    if (!t) throw new SlipwayError('E_NOT_FOUND', `no token with id ${id}`, { hint: 'run `slipway tokens` to list tokens' });
    this.deps.store.deleteToken(id);
    return t;
  }

  // --- access

  grant(app: string, user: string, role: unknown): void {
    const u = this.getUser(parseUserName(user));
    this.deps.store.setAccess(u.id, this.appIdOrThrow(app), parseScope(role, 'role'));
  }

  revoke(app: string, user: string): void {
    const u = this.getUser(user);
    if (!this.deps.store.deleteAccess(u.id, this.appIdOrThrow(app))) throw new SlipwayError('E_NOT_FOUND', `${user} has no access to ${app}`, { hint: `run \`slipway access -a ${app}\`` });
  }

  listAccess(app: string): AccessRow[] {
    return this.deps.store.listAccess(this.appIdOrThrow(app));
  }

  private appIdOrThrow(app: string): number {
    const id = this.deps.appId(app);
    if (id === undefined) throw new SlipwayError('E_APP_NOT_FOUND', `app ${app} not found`, { hint: 'run `slipway apps` to list apps' });
    return id;
  }

  // --- audit

  /** Records a mutating call; internal callers are left out (the push that caused them is recorded). */
  record(p: Principal, e: Omit<NewAudit, 'user' | 'token_id'>): void {
    if (p.internal) return;
    this.deps.store.insertAudit({ ...e, user: p.user, token_id: p.tokenId });
    if (++this.recorded % 1000 === 0) this.deps.store.pruneAudit(AUDIT_KEEP);
  }

  audit(q: { app?: string; limit: number }): AuditRow[] {
    return this.deps.store.listAudit(q);
  }
}
