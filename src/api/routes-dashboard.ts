import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseBody } from './schemas.js';
import type { ApiDeps } from './deps.js';

/** Where `npm run build` puts the bundled dashboard (scripts/build-web.mjs). */
export const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

/** Page paths the browser routes itself; each answers the same shell. */
const PAGE = /^\/(login|apps(\/[a-z0-9-]+(\/(metrics|logs))?)?)?\/?$/;
const ASSET = /^\/assets\/([A-Za-z0-9_.-]+)$/;

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

interface File {
  type: string;
  raw: Buffer;
  br: Buffer;
  gz: Buffer;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.html': 'text/html; charset=utf-8', '.svg': 'image/svg+xml' };

/** Reads the bundle once (a few tens of KiB) and keeps it compressed in memory. */
function loadBundle(dir: string): { shell: File | undefined; assets: Map<string, File> } {
  const load = (p: string): File => {
    const raw = readFileSync(p);
    return { type: TYPES[path.extname(p)] ?? 'application/octet-stream', raw, br: brotliCompressSync(raw), gz: gzipSync(raw) };
  };
  const assets = new Map<string, File>();
  const assetDir = path.join(dir, 'assets');
  if (existsSync(assetDir)) for (const name of readdirSync(assetDir)) assets.set(name, load(path.join(assetDir, name)));
  const index = path.join(dir, 'index.html');
  return { shell: existsSync(index) ? load(index) : undefined, assets };
}

/** Requests the dashboard answers without a login: its pages and assets (they hold no data), and the login itself. */
export function isPublic(req: FastifyRequest): boolean {
  const p = req.url.split('?')[0] ?? '';
  if (req.method === 'GET' || req.method === 'HEAD') return PAGE.test(p) || ASSET.test(p);
  return req.method === 'POST' && p === '/v1/session';
}

function send(req: FastifyRequest, reply: FastifyReply, f: File, cache: string): FastifyReply {
  const accept = String(req.headers['accept-encoding'] ?? '');
  const [body, enc] = /\bbr\b/.test(accept) ? [f.br, 'br'] : /\bgzip\b/.test(accept) ? [f.gz, 'gzip'] : [f.raw, undefined];
  if (enc) reply.header('content-encoding', enc);
  return reply
    .header('vary', 'accept-encoding')
    .header('cache-control', cache)
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .type(f.type)
    .send(body);
}

/** The dashboard's files and its session (login, the CSRF token for a reloaded page, logout). */
export function dashboardRoutes(api: FastifyInstance, deps: ApiDeps, dir = WEB_DIR): void {
  const bundle = loadBundle(dir);
  const shell = (req: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (!bundle.shell) return reply.code(503).type('text/plain; charset=utf-8').send('The dashboard is not built: run `npm run build`.\n');
    return send(req, reply, bundle.shell, 'no-cache');
  };
  api.get('/', shell);
  api.get('/login', shell);
  api.get('/apps', shell);
  api.get('/apps/:name', shell);
  api.get('/apps/:name/:tab', (req, reply) => (PAGE.test(req.url.split('?')[0] ?? '') ? shell(req, reply) : reply.callNotFound()));
  api.get<{ Params: { file: string } }>('/assets/:file', (req, reply) => {
    const f = bundle.assets.get(req.params.file);
    if (!f) return reply.callNotFound();
    // names carry a content hash: a new build has new names
    return send(req, reply, f, 'public, max-age=31536000, immutable');
  });

  api.post('/v1/session', async (req, reply) => {
    const body = parseBody(z.strictObject({ token: z.string().min(1).max(512) }), req.body);
    const s = deps.sessions.start(body.token, req.protocol === 'https');
    return reply.code(201).header('set-cookie', s.cookie).header('cache-control', 'no-store').send({ csrf: s.csrf });
  });
  api.get('/v1/session', async (req, reply) => reply.header('cache-control', 'no-store').send({ csrf: deps.sessions.csrf(req) ?? null }));
  api.delete('/v1/session', async (req, reply) => reply.header('set-cookie', deps.sessions.end(req)).send({ ended: true }));
}
