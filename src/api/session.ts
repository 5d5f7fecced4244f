import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hashToken } from '../auth/index.js';
import type { FastifyRequest } from 'fastify';
import { SlipwayError } from '../lib/index.js';
import { presentedToken } from './auth.js';

/**
 * Who a request acts as: the token it presented, or the token its dashboard
 * session was made from. Whatever decides what a token may do decides it for
 * its sessions too (there is no separate session scope).
 */
export interface Principal {
  tokenHash: Buffer;
  via: 'header' | 'cookie';
}

/** Where sessions are kept (state's SessionStore, injected by the daemon). */
export interface SessionRecords {
  insert(idHash: Buffer, tokenHash: Buffer, csrf: string, expiresAt: number): void;
  find(idHash: Buffer, now: number): { token_hash: Buffer; csrf: string } | undefined;
  delete(idHash: Buffer): void;
  pruneExpired(now: number): void;
}

export const SESSION_COOKIE = 'slipway_session';
export const CSRF_HEADER = 'x-slipway-csrf';
const TTL_MS = 7 * 24 * 3600_000;
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** The value of one cookie, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Dashboard sessions: a login with a token makes a random session id (the
 * cookie; only its hash is stored) and a CSRF token (a synchronizer token
 * the page sends as `X-Slipway-CSRF` on every change). A session ends when
 * it expires, on logout, or as soon as its token no longer exists.
 */
export class Sessions {
  constructor(
    private readonly records: SessionRecords,
    /** Whether a token (by its SHA-256) exists and has not expired: AuthService decides. */
    private readonly tokenLive: (hash: Buffer) => boolean,
    private readonly now: () => number = Date.now,
  ) {}

  /** Logs in with a token; the cookie is `Secure` when the request came over TLS. */
  start(token: string, secure: boolean): { cookie: string; csrf: string } {
    if (!this.tokenLive(hashToken(token))) {
      throw new SlipwayError('E_UNAUTHORIZED', 'that token is not valid', { hint: 'use the admin token (SLIPWAY_HOME/admin-token) or one from `slipway tokens:create`' });
    }
    const id = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    const now = this.now();
    this.records.pruneExpired(now);
    this.records.insert(sha256(id), hashToken(token), csrf, now + TTL_MS);
    return { cookie: cookieHeader(id, TTL_MS / 1000, secure), csrf };
  }

  /** Ends the request's session (if any); returns the cookie header that clears it. */
  end(req: FastifyRequest): string {
    const id = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (id) this.records.delete(sha256(id));
    return cookieHeader('', 0, req.protocol === 'https');
  }

  /** The CSRF token of the request's session, for a page that was reloaded. */
  csrf(req: FastifyRequest): string | undefined {
    return this.session(req)?.csrf;
  }

  /**
   * The principal of a request: a valid token in Authorization, else a live
   * session cookie. A cookie request that changes anything must carry the
   * session's CSRF token and must not come from another origin.
   */
  authenticate(req: FastifyRequest): Principal | undefined {
    const presented = presentedToken(req.headers.authorization);
    if (presented !== undefined) {
      const h = hashToken(presented);
      return this.tokenLive(h) ? { tokenHash: h, via: 'header' } : undefined;
    }
    const s = this.session(req);
    if (!s) return undefined;
    if (!SAFE.has(req.method)) checkCsrf(req, s.csrf);
    return { tokenHash: s.token_hash, via: 'cookie' };
  }

  private session(req: FastifyRequest): { token_hash: Buffer; csrf: string } | undefined {
    const id = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (!id || id.length > 100) return undefined;
    const s = this.records.find(sha256(id), this.now());
    if (!s) return undefined;
    // A session stands for its token: revoking the token ends the session at once.
    return this.tokenLive(s.token_hash) ? s : undefined;
  }
}

function checkCsrf(req: FastifyRequest, csrf: string): void {
  const sent = req.headers[CSRF_HEADER];
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  const foreign = (origin !== undefined && origin !== `${req.protocol}://${req.headers.host ?? ''}`) || site === 'cross-site' || site === 'same-site';
  if (typeof sent !== 'string' || !sameString(sent, csrf) || foreign) {
    throw new SlipwayError('E_CSRF_REJECTED', 'a change through the dashboard session needs its CSRF token and the dashboard\'s own origin', {
      hint: 'reload the dashboard; scripts should send Authorization: Bearer TOKEN instead of the cookie',
    });
  }
}

function cookieHeader(value: string, maxAgeS: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure ? '; Secure' : ''}`;
}
