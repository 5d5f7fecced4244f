import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseBody } from './schemas.js';
import type { ApiDeps } from './deps.js';

type NameParams = { Params: { name: string } };

const AddBody = z.strictObject({ url: z.string().min(1).max(2048), ca: z.string().max(64 * 1024).optional() });

/** Log drains of an app: list (with sent/dropped/queued), add, remove. */
export function drainRoutes(api: FastifyInstance, deps: ApiDeps): void {
  api.get<NameParams>('/v1/apps/:name/drains', async (req) => ({ drains: deps.drains.list(deps.apps.getApp(req.params.name).name) }));
  api.post<NameParams>('/v1/apps/:name/drains', async (req, reply) => {
    const app = deps.apps.getApp(req.params.name);
    const body = parseBody(AddBody, req.body);
    return reply.code(201).send(deps.drains.add(app.name, body.url, body.ca));
  });
  api.delete<{ Params: { name: string; id: string } }>('/v1/apps/:name/drains/:id', async (req) => deps.drains.remove(deps.apps.getApp(req.params.name).name, req.params.id));
}
