// The router's part of the kit: real HAProxy, real Node backends on
// 127.0.0.1:0, everything released in t.after().
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Router, type RouteTarget, type RouterOptions } from '../router/index.js';
import { httpGet, type Reply } from './http.js';
import type { After } from './temp.js';

export interface Backend {
  port: number;
  server: http.Server;
  /** Requests seen, in order. */
  seen: { url: string; headers: http.IncomingHttpHeaders }[];
  target: (id: string, state?: RouteTarget['state']) => RouteTarget;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A backend answering `{port, url, headers}` unless given its own handler. */
export async function startBackend(t: After, handler?: Handler): Promise<Backend> {
  const seen: Backend['seen'] = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    if (handler) return handler(req, res);
    const body = JSON.stringify({ port: (server.address() as AddressInfo).port, url: req.url, headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  const open = new Set<Socket>();
  sockets.set(server, open);
  server.on('connection', (s: Socket) => {
    open.add(s);
    s.on('close', () => open.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => stopBackend(server));
  const port = (server.address() as AddressInfo).port;
  return { port, server, seen, target: (id, state = 'ready') => ({ id, host: '127.0.0.1', port, state }) };
}

const sockets = new WeakMap<http.Server, Set<Socket>>();

/** Closes a backend as an instance stop would: no more connections, open ones (upgraded ones too) dropped. */
export function stopBackend(server: http.Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise<void>((r) => {
    server.close(() => r());
    server.closeAllConnections();
    // closeAllConnections() does not see sockets taken over by an 'upgrade' handler.
    for (const s of sockets.get(server) ?? []) s.destroy();
  });
}

export interface TestRouter {
  router: Router;
  url: string;
  port: number;
  logs: { app: string; line: string }[];
}

export async function startRouter(t: After, opts: Partial<RouterOptions> = {}): Promise<TestRouter> {
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'slw-router-'));
  const logs: TestRouter['logs'] = [];
  const router = new Router({
    runDir,
    domain: 'localhost',
    listen: { host: '127.0.0.1', port: 0 },
    onRouterLog: (app, line) => logs.push({ app, line }),
    ...opts,
  });
  t.after(async () => {
    await router.stop(); // before the run dir goes: HAProxy reads its files until it is stopped
    rmSync(runDir, { recursive: true, force: true });
  });
  const { url, port } = await router.start();
  return { router, url, port, logs };
}

/** One request to the router with the given Host header. */
export function get(port: number, host: string, opts: { path?: string; method?: string; headers?: http.OutgoingHttpHeaders; agent?: http.Agent } = {}): Promise<Reply> {
  return httpGet(`http://127.0.0.1:${port}${opts.path ?? '/'}`, { host, ...opts.headers }, { method: opts.method, agent: opts.agent });
}

/** The backend port that answered (from the default handler's JSON body). */
export const answeredBy = (r: Reply): number => (JSON.parse(r.body) as { port: number }).port;
