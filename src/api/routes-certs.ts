import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { CertRecord } from '../router/index.js';
import { parseBody, type CertJson } from './schemas.js';
import type { ApiDeps } from './deps.js';

const CertBody = z.strictObject({ cert: z.string(), key: z.string() });

/** Certificates an app serves over HTTPS. The key goes in and never comes out. */
export function certRoutes(api: FastifyInstance, deps: ApiDeps): void {
  api.get<{ Params: { name: string } }>('/v1/apps/:name/certs', async (req): Promise<CertJson[]> => deps.certs.list(deps.apps.getApp(req.params.name).name).map(certJson));
  api.post<{ Params: { name: string } }>('/v1/apps/:name/certs', async (req, reply) => {
    const app = deps.apps.getApp(req.params.name);
    const body = parseBody(CertBody, req.body);
    return reply.code(201).send(certJson(await deps.certs.add(app.name, body.cert, body.key)));
  });
  api.delete<{ Params: { name: string; id: string } }>('/v1/apps/:name/certs/:id', async (req) => ({ ...certJson(await deps.certs.remove(deps.apps.getApp(req.params.name).name, req.params.id)), removed: true }));
}

function certJson(r: CertRecord): CertJson {
  return { id: r.id, hosts: r.hosts, source: r.source, issuer: r.issuer, not_before: r.not_before, not_after: r.not_after, status: r.status, ...(r.error ? { error: r.error } : {}) };
}
