import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { TokenRow } from '../auth/index.js';
import { SlipwayError } from '../lib/index.js';
import { parseBody, type AccessJson, type AuditJson, type TokenJson, type UserJson } from './schemas.js';
import type { ApiDeps } from './deps.js';

const UserBody = z.strictObject({ name: z.string(), admin: z.boolean().default(false) });
const TokenBody = z.strictObject({
  user: z.string(),
  scope: z.string(),
  app: z.string().optional(),
  expires: z.string().optional(),
  name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, '1 to 64 letters, digits, dots, dashes or underscores').optional(),
});
const AccessBody = z.strictObject({ user: z.string(), role: z.string().default('deploy') });

/** Users, tokens, per-app access and the audit log. Tokens are shown once, at creation; listings carry no secret. */
export function authRoutes(api: FastifyInstance, deps: ApiDeps): void {
  api.get('/v1/users', async (): Promise<UserJson[]> =>
    deps.auth.listUsers().map((u) => ({ name: u.name, admin: u.admin === 1, apps: u.apps, created_at: u.created_at })),
  );
  api.post('/v1/users', async (req, reply) => {
    const body = parseBody(UserBody, req.body);
    const u = deps.auth.addUser(body.name, body.admin);
    return reply.code(201).send({ name: u.name, admin: u.admin === 1, apps: [], created_at: u.created_at } satisfies UserJson);
  });
  api.delete<{ Params: { user: string } }>('/v1/users/:user', async (req) => ({ name: deps.auth.removeUser(req.params.user).name, removed: true }));

  api.get('/v1/tokens', async (): Promise<TokenJson[]> => deps.auth.listTokens().map(tokenJson));
  api.post('/v1/tokens', async (req, reply) => {
    const body = parseBody(TokenBody, req.body);
    const { token, row } = deps.auth.createToken(body);
    return reply.code(201).send({ ...tokenJson(row), token });
  });
  api.delete<{ Params: { id: string } }>('/v1/tokens/:id', async (req) => {
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id) || id <= 0) throw new SlipwayError('E_VALIDATION', 'token id: must be a positive integer', { hint: 'run `slipway tokens` to list tokens' });
    return { ...tokenJson(deps.auth.revokeToken(id)), revoked: true };
  });

  api.get<{ Params: { name: string } }>('/v1/apps/:name/access', async (req): Promise<AccessJson[]> =>
    deps.auth.listAccess(req.params.name).map((a) => ({ user: a.user, app: a.app, role: a.role, created_at: a.created_at })),
  );
  api.post<{ Params: { name: string } }>('/v1/apps/:name/access', async (req, reply) => {
    const body = parseBody(AccessBody, req.body);
    deps.auth.grant(req.params.name, body.user, body.role);
    return reply.code(201).send({ user: body.user, app: req.params.name, role: body.role });
  });
  api.delete<{ Params: { name: string; user: string } }>('/v1/apps/:name/access/:user', async (req) => {
    deps.auth.revoke(req.params.name, req.params.user);
    return { user: req.params.user, app: req.params.name, removed: true };
  });

  api.get<{ Querystring: { app?: string; limit?: string } }>('/v1/audit', async (req): Promise<AuditJson[]> => {
    const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 10_000) throw new SlipwayError('E_VALIDATION', 'limit: an integer from 1 to 10000');
    return deps.auth.audit({ app: req.query.app, limit }).map((a) => ({ at: a.at, user: a.user, token_id: a.token_id, method: a.method, path: a.path, app: a.app, status: a.status, remote: a.remote }));
  });
}

function tokenJson(t: TokenRow): TokenJson {
  return { id: t.id, name: t.name, user: t.user, scope: t.scope, app: t.app, created_at: t.created_at, expires_at: t.expires_at, last_used_at: t.last_used_at };
}
