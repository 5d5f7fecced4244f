import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AppService } from '../apps/index.js';
import type { ConfigService } from '../config/index.js';
import type { ReleaseService } from '../releases/index.js';
import { SlipwayError } from '../lib/index.js';
import { presentedToken, tokenMatches } from './auth.js';
import { toHttpError } from './error-map.js';
import { appRoutes } from './routes-apps.js';
import type { ServerJson } from './schemas.js';

export interface ApiDeps {
  apps: AppService;
  config: ConfigService;
  releases: ReleaseService;
  /** Hashes of valid tokens; read on every request so a new token works at once. */
  tokenHashes(): readonly Buffer[];
  server(): ServerJson;
  webUrl(app: string): string;
  gitUrl(app: string): string;
}

/** JSON bodies above this get 413 before any parsing: config is capped at 64 KiB per app anyway. */
export const BODY_LIMIT = 256 * 1024;

export function buildApi(deps: ApiDeps): FastifyInstance {
  const api = Fastify({ bodyLimit: BODY_LIMIT, logger: false, return503OnClosing: true, forceCloseConnections: 'idle' });

  // Authentication runs first on every route, including unknown ones, so an
  // unauthenticated caller learns nothing (not even which paths exist).
  api.addHook('onRequest', async (req: FastifyRequest) => {
    if (!tokenMatches(presentedToken(req.headers.authorization), deps.tokenHashes())) {
      throw new SlipwayError('E_UNAUTHORIZED', 'missing or invalid token', {
        hint: 'send Authorization: Bearer TOKEN (see `slipway login`)',
      });
    }
  });

  api.setErrorHandler((err: unknown, _req: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toHttpError(err);
    if (status === 401) reply.header('www-authenticate', 'Bearer realm="slipway"');
    if (status >= 500) process.stderr.write(`slipway: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
    void reply.code(status).send(body);
  });

  api.setNotFoundHandler((req: FastifyRequest) => {
    throw new SlipwayError('E_NOT_FOUND', `no such route: ${req.method} ${req.url.split('?')[0]}`, { hint: 'see docs/api.md' });
  });

  api.get('/v1/server', async () => deps.server());
  appRoutes(api, deps);
  return api;
}
