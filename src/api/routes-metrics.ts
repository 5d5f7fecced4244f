import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseBody } from './schemas.js';
import type { ApiDeps } from './deps.js';
import { principalOf } from './guard.js';

const SeriesQuery = z.strictObject({ range: z.enum(['1h', '24h', '7d']).default('1h') });

/** Time series for the dashboard's charts and apps list, and Prometheus' scrape endpoint. */
export function metricRoutes(api: FastifyInstance, deps: ApiDeps): void {
  api.get<{ Params: { name: string } }>('/v1/apps/:name/metrics', async (req) => {
    const q = parseBody(SeriesQuery, req.query);
    return deps.metrics.series(deps.apps.getApp(req.params.name).name, q.range);
  });

  // only the apps this token may see
  api.get('/v1/metrics/summary', async (req) => ({ apps: deps.metrics.summary(deps.apps.list().map((a) => a.app.name).filter((n) => deps.auth.canSee(principalOf(req), n))) }));

  api.get('/metrics', async (_req, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(deps.metrics.prometheus()));
}
