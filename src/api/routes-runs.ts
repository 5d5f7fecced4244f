import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { encodeFrame, frameDecoder, RunFrame, SlipwayError } from '../lib/index.js';
import { DEFAULT_RUN_TIMEOUT_MS } from '../scheduler/index.js';
import { guardRequest } from './guard.js';
import { toHttpError } from './error-map.js';
import { parseBody } from './schemas.js';
import type { ApiDeps } from './deps.js';

const RunSpec = z.strictObject({
  command: z.array(z.string().max(32 * 1024, 'each argument is at most 32 KiB')).min(1, 'give a command').max(512, 'at most 512 arguments'),
  detach: z.boolean().default(false),
  tty: z.strictObject({ cols: z.number().int().min(1).max(1000), rows: z.number().int().min(1).max(1000) }).optional(),
  timeout_s: z.number().int().min(1, 'must be at least 1 second').max(7 * 24 * 3600, 'must be at most a week').optional(),
});

/**
 * One-off runs. Detached: POST .../runs. Attached: an HTTP upgrade on
 * GET .../runs/attach?spec=BASE64URL(JSON), then frames both ways (see
 * docs/api.md); closing the connection stops the run.
 */
export function runRoutes(api: FastifyInstance, deps: ApiDeps): void {
  api.post<{ Params: { name: string } }>('/v1/apps/:name/runs', async (req, reply) => {
    const spec = parseBody(RunSpec, req.body);
    if (!spec.detach) throw new SlipwayError('E_BAD_REQUEST', 'attached runs use the upgrade route', { hint: 'GET /v1/apps/NAME/runs/attach with Upgrade: slipway-run' });
    const run = await deps.runs.start(req.params.name, { argv: spec.command, detach: true, timeoutMs: (spec.timeout_s ?? 3600) * 1000 });
    void run.done;
    return reply.code(201).send({ name: run.record.name, release: `v${run.record.release}` });
  });

  api.get<{ Params: { name: string } }>('/v1/apps/:name/runs', async (req) => deps.runs.list(deps.apps.getApp(req.params.name).id).map((r) => ({
    name: r.name,
    kind: r.kind,
    job: r.job,
    command: r.kind === 'run' ? (JSON.parse(r.command) as string[]).join(' ') : r.command,
    release: `v${r.release}`,
    detached: r.detached === 1,
    started_at: r.started_at,
    finished_at: r.finished_at,
    duration_ms: r.finished_at ? Date.parse(r.finished_at) - Date.parse(r.started_at) : null,
    exit_code: r.exit_code,
    signal: r.signal,
  })));

  api.get<{ Params: { name: string } }>('/v1/apps/:name/cron', async (req) => deps.cron.list(deps.apps.getApp(req.params.name).name));
  api.post<{ Params: { name: string; id: string } }>('/v1/apps/:name/cron/:id/run', async (req, reply) => {
    const app = deps.apps.getApp(req.params.name);
    if (!deps.cron.has(app.name, req.params.id)) throw new SlipwayError('E_NOT_FOUND', `no cron job ${req.params.id} in ${app.name}'s current release`, { hint: `run \`slipway cron -a ${app.name}\`` });
    const name = await deps.cron.trigger(app.name, req.params.id);
    if (!name) throw new SlipwayError('E_VALIDATION', `cron job ${req.params.id} is still running (it does not overlap itself)`, { hint: 'wait for it to finish, or set concurrency: allow in app.json' });
    return reply.code(201).send({ name });
  });

  api.server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    void attach(req, socket, deps).catch((err: unknown) => refuse(socket, err));
  });
}

async function attach(req: IncomingMessage, socket: Duplex, deps: ApiDeps): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const m = /^\/v1\/apps\/([^/]+)\/runs\/attach$/.exec(url.pathname);
  const known = Boolean(m) && (req.headers.upgrade ?? '').toLowerCase() === 'slipway-run';
  const name = m ? decodeURIComponent(m[1] as string) : '';
  const who = guardRequest(deps.auth, req, { pattern: known ? '/v1/apps/:name/runs/attach' : undefined, params: { name } });
  if (!known) throw new SlipwayError('E_NOT_FOUND', `no such upgrade route: ${url.pathname}`);
  const app = deps.apps.getApp(name);
  deps.auth.record(who, { method: 'GET', path: url.pathname, app: app.name, status: 101, remote: req.socket.remoteAddress ?? '' });
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(url.searchParams.get('spec') ?? '', 'base64url').toString('utf8'));
  } catch {
    throw new SlipwayError('E_BAD_REQUEST', 'spec must be base64url-encoded JSON');
  }
  const spec = parseBody(RunSpec, raw);
  // output can arrive before the 101 answer is written: hold it until then
  let upgraded = false;
  const held: Buffer[] = [];
  const send = (type: number, payload?: Buffer | string): void => {
    const frame = encodeFrame(type, payload);
    if (!upgraded) held.push(frame);
    else if (!socket.destroyed) socket.write(frame);
  };
  const run = await deps.runs.start(app.name, { argv: spec.command, detach: false, tty: spec.tty, timeoutMs: (spec.timeout_s ?? DEFAULT_RUN_TIMEOUT_MS / 1000) * 1000 }, {
    onData: (stream, chunk) => send(stream === 'stdout' ? RunFrame.stdout : RunFrame.stderr, chunk),
  });
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: slipway-run\r\nConnection: Upgrade\r\n\r\n');
  socket.write(encodeFrame(RunFrame.started, JSON.stringify({ name: run.record.name, release: `v${run.record.release}` })));
  upgraded = true;
  for (const f of held.splice(0)) socket.write(f);
  socket.on('data', frameDecoder((type, payload) => {
    if (type === RunFrame.stdin) run.write(payload);
    else if (type === RunFrame.stdinEnd) run.endInput();
    else if (type === RunFrame.signal) run.signal(payload.toString());
    else if (type === RunFrame.resize) {
      const r = JSON.parse(payload.toString()) as { cols: number; rows: number };
      run.resize(r.cols, r.rows);
    }
  }));
  // the client went away: the run is not left behind. The server's sockets
  // allow half-open connections, so a killed client shows as 'end', not 'close'.
  const gone = (): void => {
    if (!exited) void run.stop();
  };
  let exited = false;
  void run.done.then(() => (exited = true));
  socket.on('end', gone);
  socket.on('close', gone);
  socket.on('error', () => undefined);
  const exit = await run.done;
  send(RunFrame.exit, JSON.stringify(exit));
  socket.end();
}

function refuse(socket: Duplex, err: unknown): void {
  const { status, body } = toHttpError(err);
  const text = JSON.stringify(body);
  socket.end(`HTTP/1.1 ${status} Error\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
}
