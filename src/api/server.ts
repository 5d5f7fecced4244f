import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { SlipwayError } from '../lib/index.js';
import { installGuard } from './guard.js';
import { authRoutes } from './routes-auth.js';
import { certRoutes } from './routes-certs.js';
import { toHttpError } from './error-map.js';
import { appRoutes } from './routes-apps.js';
import { buildRoutes } from './routes-builds.js';
import { gitRoutes } from './routes-git.js';
import { logRoutes } from './routes-logs.js';
import { metricRoutes } from './routes-metrics.js';
import { drainRoutes } from './routes-drains.js';
import { dashboardRoutes } from './routes-dashboard.js';
import { psRoutes } from './routes-ps.js';
import { runRoutes } from './routes-runs.js';
import { stackRoutes } from './routes-stacks.js';
import type { ApiDeps } from './deps.js';

/** JSON bodies above this get 413 before any parsing: config is capped at 64 KiB per app anyway. */
export const BODY_LIMIT = 256 * 1024;

export function buildApi(deps: ApiDeps): FastifyInstance {
  const api = Fastify({ bodyLimit: BODY_LIMIT, logger: false, return503OnClosing: true, forceCloseConnections: 'idle' });

  installGuard(api, deps);

  api.setErrorHandler((err: unknown, _req: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toHttpError(err);
    // git only sends credentials after a Basic challenge
    if (status === 401) reply.header('www-authenticate', _req.url.startsWith('/git/') ? 'Basic realm="slipway"' : 'Bearer realm="slipway"');
    if (status >= 500) process.stderr.write(`slipway: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
    void reply.code(status).send(body);
  });

  api.setNotFoundHandler((req: FastifyRequest) => {
    throw new SlipwayError('E_NOT_FOUND', `no such route: ${req.method} ${req.url.split('?')[0]}`, { hint: 'see docs/api.md' });
  });

  // Archives and git pack streams pass through as raw streams: they are
  // size-checked while received (receiveUpload), never buffered whole.
  const RAW = ['application/x-tar', 'application/gzip', 'application/x-gzip', 'application/octet-stream', 'application/x-git-upload-pack-request', 'application/x-git-receive-pack-request'];
  api.addContentTypeParser(RAW, (_req, payload, done) => done(null, payload));

  api.get('/v1/server', async () => deps.server());
  appRoutes(api, deps);
  buildRoutes(api, deps);
  gitRoutes(api, deps);
  psRoutes(api, deps);
  logRoutes(api, deps);
  runRoutes(api, deps);
  authRoutes(api, deps);
  certRoutes(api, deps);
  metricRoutes(api, deps);
  stackRoutes(api, deps);
  drainRoutes(api, deps);
  dashboardRoutes(api, deps);
  return api;
}
