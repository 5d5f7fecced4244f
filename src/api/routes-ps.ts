import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SlipwayError } from '../lib/index.js';
import { parseBody, type PsJson } from './schemas.js';
import type { ApiDeps } from './server.js';

type NameParams = { Params: { name: string } };

const TYPE = /^[A-Za-z0-9_-]{1,63}$/;
const FormationBody = z.strictObject({
  updates: z
    .array(
      z.strictObject({
        type: z.string().regex(TYPE, 'must be a process type name'),
        quantity: z.number().int('must be a whole number').min(0, 'must be 0 or more').optional(),
        memory_mb: z.number().int('must be whole megabytes').min(16, 'must be at least 16 MB').max(65536, 'must be at most 64 GB').optional(),
      }),
    )
    .min(1, 'give at least one process type'),
});
const RestartBody = z.strictObject({ process: z.string().regex(/^[A-Za-z0-9_-]{1,63}(\.\d+)?$/, 'must be a type (web) or an instance (web.2)').optional() });
const RollbackBody = z.strictObject({ version: z.number().int().min(1).optional() });

/** ps, scale, restart and rollback: what runs, and changes to it. */
export function psRoutes(api: FastifyInstance, deps: ApiDeps): void {
  const psJson = (name: string): PsJson => {
    const { instances, formation } = deps.ops.ps(name);
    return { instances, formation: formation.map((f) => ({ type: f.type, quantity: f.quantity, memory_mb: f.memory_mb })) };
  };

  api.get<NameParams>('/v1/apps/:name/ps', async (req) => psJson(deps.apps.getApp(req.params.name).name));

  api.patch<NameParams>('/v1/apps/:name/formation', async (req) => {
    const app = deps.apps.getApp(req.params.name);
    const body = parseBody(FormationBody, req.body);
    const changes = Object.fromEntries(body.updates.map((u) => [u.type, { quantity: u.quantity, memoryMb: u.memory_mb }]));
    if (new Set(body.updates.map((u) => u.type)).size !== body.updates.length) throw new SlipwayError('E_VALIDATION', 'a process type is listed twice');
    await deps.ops.scale(app.name, changes);
    return psJson(app.name);
  });

  api.post<NameParams>('/v1/apps/:name/ps/restart', async (req) => {
    const app = deps.apps.getApp(req.params.name);
    const body = parseBody(RestartBody, req.body);
    await deps.ops.restart(app.name, body.process);
    return psJson(app.name);
  });

  api.post<NameParams>('/v1/apps/:name/rollback', async (req) => {
    const app = deps.apps.getApp(req.params.name);
    const body = parseBody(RollbackBody, req.body);
    const rel = await deps.ops.rollback(app.name, body.version);
    return { release: `v${rel.version}`, description: rel.description };
  });
}
