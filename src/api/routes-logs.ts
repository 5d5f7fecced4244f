import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { formatEntry, parseLogFilter, type LogEntry, type LogFilter } from '../logs/index.js';
import { parseBody } from './schemas.js';
import type { ApiDeps } from './deps.js';

type NameParams = { Params: { name: string } };

const LogsQuery = z.strictObject({
  lines: z.coerce.number().int().min(1).max(10_000).default(100),
  tail: z.enum(['0', '1', 'true', 'false']).optional(),
  source: z.string().optional(),
  ps: z.string().optional(),
  release: z.string().optional(),
  format: z.enum(['text', 'json', 'sse']).default('text'),
  /** Resume after this cursor (an SSE event id); EventSource sends it as Last-Event-ID instead. */
  after: z.string().max(64).optional(),
});

/** How many lines a resumed stream reads back to find its cursor. */
const RESUME_LINES = 10_000;

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
    if (q.format === 'sse') return sse(deps, app.name, filter, q.lines, q.after ?? headerValue(req.headers['last-event-id']), req, reply);
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

const headerValue = (h: string | string[] | undefined): string | undefined => (Array.isArray(h) ? h[0] : h);

/**
 * The dashboard's live tail as Server-Sent Events. Each event's id is a
 * cursor `TIME~N`: the entry's time and how many entries with exactly that
 * time this stream has sent. A reconnect with that cursor skips what was
 * already sent (entries before TIME, and the first N at TIME) and goes on,
 * so a dropped connection leaves no gap and repeats nothing.
 */
async function sse(deps: ApiDeps, app: string, filter: LogFilter, lines: number, after: string | undefined, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const cursor = parseCursor(after);
  let lastTime = '';
  let n = 0;
  let skipAtTime = cursor?.n ?? 0;
  const send = (e: LogEntry): void => {
    if (cursor) {
      if (e.time < cursor.time) return;
      if (e.time === cursor.time && skipAtTime > 0) {
        skipAtTime--;
        n++; // still counts towards this time's N
        lastTime = e.time;
        return;
      }
    }
    n = e.time === lastTime ? n + 1 : 1;
    lastTime = e.time;
    reply.raw.write(`id: ${e.time}~${n}\ndata: ${JSON.stringify(e)}\n\n`);
  };
  reply.hijack();
  reply.raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
  reply.raw.write('retry: 1000\n\n');
  const stop = await deps.logs.tail(app, { lines: cursor ? RESUME_LINES : lines, filter }, send);
  const keepAlive = setInterval(() => reply.raw.write(': keep-alive\n\n'), 15_000);
  req.raw.on('close', () => {
    clearInterval(keepAlive);
    stop();
  });
}

/** `TIME~N` as sent in an event id; anything else means "no cursor" (start from the last lines). */
export function parseCursor(s: string | undefined): { time: string; n: number } | undefined {
  const m = /^(\d{4}-\d\d-\d\dT[\d:.]+Z)~(\d{1,9})$/.exec(s ?? '');
  return m ? { time: m[1] as string, n: Number(m[2]) } : undefined;
}
