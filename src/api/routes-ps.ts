import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SlipwayError } from '../lib/index.js';
import type { AutoscaleView } from '../supervisor/index.js';
import { parseBody, type AutoscaleJson, type PsJson } from './schemas.js';
import type { ApiDeps } from './deps.js';

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
// Ranges and min ≤ max are the autoscaler's rule (one message for every client); here only the types.
const whole = (what: string) => z.number({ error: `${what} must be a number` }).int(`${what} must be a whole number`).min(0, `${what} must not be negative`);
const AutoscaleBody = z.strictObject({
  min: whole('min').optional(),
  max: whole('max').optional(),
  concurrency: whole('concurrency').optional(),
  idle_seconds: whole('idle_seconds').optional(),
  window_seconds: whole('window_seconds').optional(),
});
type TypeParams = { Params: { name: string; type: string } };

const autoscaleJson = (v: AutoscaleView): AutoscaleJson => ({ type: v.type, min: v.min, max: v.max, concurrency: v.concurrency, idle_seconds: v.idleS, window_seconds: v.windowS, status: v.status });

/** ps, scale, restart and rollback: what runs, and changes to it. */
export function psRoutes(api: FastifyInstance, deps: ApiDeps): void {
  const psJson = (name: string): PsJson => {
    const { instances, formation } = deps.ops.ps(name);
    return { instances, formation: formation.map((f) => ({ type: f.type, quantity: f.quantity, memory_mb: f.memory_mb })), autoscale: deps.autoscaler.view(name).map(autoscaleJson) };
  };

  api.get<NameParams>('/v1/apps/:name/ps', async (req) => psJson(deps.apps.getApp(req.params.name).name));

  api.patch<NameParams>('/v1/apps/:name/formation', async (req) => {
    const app = deps.apps.getApp(req.params.name);
    const body = parseBody(FormationBody, req.body);
    const changes = Object.fromEntries(body.updates.map((u) => [u.type, { quantity: u.quantity, memoryMb: u.memory_mb }]));
    if (new Set(body.updates.map((u) => u.type)).size !== body.updates.length) throw new SlipwayError('E_VALIDATION', 'a process type is listed twice');
    deps.autoscaler.checkManual(app.name, changes);
    await deps.ops.scale(app.name, changes);
    return psJson(app.name);
  });

  api.get<NameParams>('/v1/apps/:name/autoscale', async (req) => ({ autoscale: deps.autoscaler.view(deps.apps.getApp(req.params.name).name).map(autoscaleJson) }));

  api.put<TypeParams>('/v1/apps/:name/autoscale/:type', async (req) => {
    const app = deps.apps.getApp(req.params.name);
    if (!TYPE.test(req.params.type)) throw new SlipwayError('E_VALIDATION', 'the process type must be letters, digits, _ and -');
    const b = parseBody(AutoscaleBody, req.body ?? {});
    await deps.autoscaler.set(app.name, req.params.type, { min: b.min, max: b.max, concurrency: b.concurrency, idleS: b.idle_seconds, windowS: b.window_seconds });
    return psJson(app.name);
  });

  api.delete<TypeParams>('/v1/apps/:name/autoscale/:type', async (req) => {
    const app = deps.apps.getApp(req.params.name);
    await deps.autoscaler.off(app.name, req.params.type);
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
