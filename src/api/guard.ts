import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService, Principal } from '../auth/index.js';
import { SlipwayError } from '../lib/index.js';
import { presentedToken } from './auth.js';
import { needOf, routeKey, ROUTE_SCOPES } from './route-scopes.js';

const principals = new WeakMap<IncomingMessage, Principal>();

/** Who made this request (set by the guard before any handler runs). */
export function principalOf(req: FastifyRequest): Principal {
  const p = principals.get(req.raw);
  if (!p) throw new SlipwayError('E_INTERNAL', 'request reached a handler without the guard');
  return p;
}

/**
 * Authenticates a raw request and checks it against the route table; the
 * upgrade routes, which bypass Fastify's hooks, call this too.
 */
export function guardRequest(auth: AuthService, req: IncomingMessage, route: { pattern: string | undefined; params: Record<string, string> }): Principal {
  const p = auth.authenticate(presentedToken(req.headers.authorization));
  if (!p) {
    throw new SlipwayError('E_UNAUTHORIZED', 'missing or invalid token', {
      hint: 'send Authorization: Bearer TOKEN (see `slipway login`)',
    });
  }
  principals.set(req, p);
  // an unknown path needs only a valid token: the not-found handler answers 404
  if (route.pattern === undefined) return p;
  const need = needOf(req.method ?? 'GET', route.pattern, route.params, req.url ?? '');
  if (!need) throw new SlipwayError('E_INTERNAL', `route ${req.method} ${route.pattern} has no entry in api/route-scopes.ts`);
  auth.check(p, need);
  return p;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The guard: authentication then the scope table, first on every request
 * including unknown paths, so an unauthenticated caller learns nothing; and
 * the audit of every mutating call once it is answered.
 */
export function installGuard(api: FastifyInstance, auth: AuthService): void {
  api.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) {
      const key = routeKey(m === 'HEAD' ? 'GET' : m, r.url);
      if (!ROUTE_SCOPES[key]) throw new Error(`route ${key} has no entry in api/route-scopes.ts`);
    }
  });
  api.addHook('onRequest', async (req) => {
    guardRequest(auth, req.raw, { pattern: req.routeOptions.url, params: req.params as Record<string, string> });
  });
  api.addHook('onResponse', async (req, reply) => {
    const p = principals.get(req.raw);
    if (!p || !MUTATING.has(req.method) || req.url.startsWith('/git/')) return; // pushes: see routes-git.ts
    const params = req.params as Record<string, string> | undefined;
    const app = params?.name ?? params?.repo?.replace(/\.git$/, '');
    auth.record(p, { method: req.method, path: req.url.split('?')[0] as string, app: app ?? null, status: reply.statusCode, remote: req.ip });
  });
}
