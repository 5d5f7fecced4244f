import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isPublic } from './routes-dashboard.js';
import type { Sessions } from './session.js';
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

const unauthorized = (): SlipwayError =>
  new SlipwayError('E_UNAUTHORIZED', 'missing or invalid token', { hint: 'send Authorization: Bearer TOKEN (see `slipway login`)' });

/** Checks a principal against the route table (an unknown path needs only a valid token: the not-found handler answers 404). */
function checkRoute(auth: AuthService, p: Principal, req: IncomingMessage, route: { pattern: string | undefined; params: Record<string, string> }): void {
  if (route.pattern === undefined) return;
  const need = needOf(req.method ?? 'GET', route.pattern, route.params, req.url ?? '');
  if (!need) throw new SlipwayError('E_INTERNAL', `route ${req.method} ${route.pattern} has no entry in api/route-scopes.ts`);
  if (need !== 'public') auth.check(p, need);
}

/**
 * Authenticates a raw request by its Authorization header and checks it
 * against the route table: for the upgrade routes, which bypass Fastify's hooks.
 */
export function guardRequest(auth: AuthService, req: IncomingMessage, route: { pattern: string | undefined; params: Record<string, string> }): Principal {
  const p = auth.authenticate(presentedToken(req.headers.authorization));
  if (!p) throw unauthorized();
  principals.set(req, p);
  checkRoute(auth, p, req, route);
  return p;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The guard: authentication then the scope table, first on every request
 * including unknown paths, so an unauthenticated caller learns nothing; and
 * the audit of every mutating call once it is answered.
 */
export function installGuard(api: FastifyInstance, deps: { auth: AuthService; sessions: Sessions }): void {
  const { auth, sessions } = deps;
  api.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) {
      const key = routeKey(m === 'HEAD' ? 'GET' : m, r.url);
      if (!ROUTE_SCOPES[key]) throw new Error(`route ${key} has no entry in api/route-scopes.ts`);
    }
  });
  api.decorateRequest('principal', undefined);
  api.addHook('onRequest', async (req) => {
    // only the dashboard's shell, its assets and the login itself are public
    if (isPublic(req)) return;
    // a token in Authorization, or a dashboard session standing for its token
    const session = sessions.authenticate(req);
    const p = session && auth.principalByHash(session.tokenHash);
    if (!session || !p) throw unauthorized();
    req.principal = session;
    principals.set(req.raw, p);
    checkRoute(auth, p, req.raw, { pattern: req.routeOptions.url, params: req.params as Record<string, string> });
  });
  api.addHook('onResponse', async (req, reply) => {
    const p = principals.get(req.raw);
    if (!p || !MUTATING.has(req.method) || req.url.startsWith('/git/')) return; // pushes: see routes-git.ts
    const params = req.params as Record<string, string> | undefined;
    const app = params?.name ?? params?.repo?.replace(/\.git$/, '');
    auth.record(p, { method: req.method, path: req.url.split('?')[0] as string, app: app ?? null, status: reply.statusCode, remote: req.ip });
  });
}
