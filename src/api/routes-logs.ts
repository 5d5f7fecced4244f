import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { formatEntry, parseLogFilter, type LogEntry } from '../logs/index.js';
import { parseBody } from './schemas.js';
import type { ApiDeps } from './deps.js';

type NameParams = { Params: { name: string } };

const LogsQuery = z.strictObject({
  lines: z.coerce.number().int().min(1).max(10_000).default(100),
  tail: z.enum(['0', '1', 'true', 'false']).optional(),
  source: z.string().optional(),
  ps: z.string().optional(),
  release: z.string().optional(),
  format: z.enum(['text', 'json']).default('text'),
});

/**
 * Logs and domains. `GET .../logs?tail=1` streams: the last n lines, then
 * live ones, with no gap, until the client goes away.
 */
export function logRoutes(api: FastifyInstance, deps: ApiDeps): void {
  api.get<NameParams>('/v1/apps/:name/logs', async (req, reply) => {
    const app = deps.apps.getApp(req.params.name);
    const q = parseBody(LogsQuery, req.query);
    const filter = parseLogFilter({ source: q.source, ps: q.ps, release: q.release });
    const render = (e: LogEntry): string => (q.format === 'json' ? JSON.stringify(e) : formatEntry(e));
    if (q.tail !== '1' && q.tail !== 'true') {
      const entries = await deps.logs.read(app.name, { lines: q.lines, filter });
      return reply.type(q.format === 'json' ? 'application/x-ndjson' : 'text/plain; charset=utf-8').send(entries.map((e) => `${render(e)}\n`).join(''));
    }
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': q.format === 'json' ? 'application/x-ndjson' : 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    const stop = await deps.logs.tail(app.name, { lines: q.lines, filter }, (e) => void reply.raw.write(`${render(e)}\n`));
    const keepAlive = setInterval(() => reply.raw.write(''), 30_000);
    req.raw.on('close', () => {
      clearInterval(keepAlive);
      stop();
    });
  });

  api.get<NameParams>('/v1/apps/:name/domains', async (req) => ({ domains: deps.apps.domains(req.params.name) }));
  api.post<NameParams>('/v1/apps/:name/domains', async (req, reply) => {
    const body = parseBody(z.strictObject({ hostname: z.string().max(300) }), req.body);
    const hostname = deps.apps.addDomain(req.params.name, body.hostname);
    await deps.route(deps.apps.getApp(req.params.name).name);
    return reply.code(201).send({ hostname });
  });
  api.delete<{ Params: { name: string; host: string } }>('/v1/apps/:name/domains/:host', async (req) => {
    const hostname = deps.apps.removeDomain(req.params.name, req.params.host);
    await deps.route(deps.apps.getApp(req.params.name).name);
    return { hostname, removed: true };
  });
}
