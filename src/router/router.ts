import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PAGES, renderPage, type ErrorPage } from './pages.js';

export interface RouteTarget {
  host: string;
  port: number;
}

interface Route {
  app: string;
  targets: RouteTarget[];
}

/**
 * Control side of the router: the host → app → targets table. Until the
 * native data plane (HAProxy) is driven from this table, the listener here
 * answers every request with the platform's page for it: 404 for a host that
 * is no app of ours, 503 (H14) for an app with no web instance.
 */
export class Router {
  private readonly routes = new Map<string, Route>();
  private server: http.Server | undefined;

  constructor(private readonly domain: string) {}

  /** Makes APP.DOMAIN (and any extra hosts) route to the app with these targets. */
  setTargets(app: string, targets: RouteTarget[], extraHosts: string[] = []): void {
    this.removeApp(app);
    const route = { app, targets };
    for (const h of [`${app}.${this.domain}`, ...extraHosts]) this.routes.set(h.toLowerCase(), route);
  }

  removeApp(app: string): void {
    for (const [h, r] of this.routes) if (r.app === app) this.routes.delete(h);
  }

  async listen(host: string, port: number): Promise<AddressInfo> {
    const server = http.createServer({ maxHeaderSize: 16 * 1024 }, (req, res) => this.handle(req, res));
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const route = this.routes.get(host);
    const page: ErrorPage = route ? PAGES.noWeb : PAGES.unknownHost;
    const body = renderPage(page);
    res.writeHead(page.status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}
