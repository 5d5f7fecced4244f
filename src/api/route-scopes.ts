import type { Scope } from '../auth/index.js';

/**
 * What every route needs, in one table: the scope, and which path parameter
 * names the app it acts on (none: a platform-wide route). The API refuses to
 * start with a route missing here (server.ts), so a new route cannot slip
 * through unguarded. `git` picks read or deploy from the git service asked for.
 *
 * Config is read with `deploy`, not `read`: its values are the app's secrets.
 */
export interface RouteScope {
  /** `public`: answered without a token (the dashboard's shell and assets, the login); see routes-dashboard.ts's isPublic. */
  scope: Scope | 'git' | 'public';
  app?: 'name' | 'repo';
}

export const ROUTE_SCOPES: Readonly<Record<string, RouteScope>> = {
  'GET /v1/server': { scope: 'read' },
  'GET /v1/apps': { scope: 'read' },
  'POST /v1/apps': { scope: 'admin' },
  'GET /v1/apps/:name': { scope: 'read', app: 'name' },
  'DELETE /v1/apps/:name': { scope: 'admin', app: 'name' },
  'GET /v1/apps/:name/config': { scope: 'deploy', app: 'name' },
  'PATCH /v1/apps/:name/config': { scope: 'deploy', app: 'name' },
  'GET /v1/apps/:name/settings': { scope: 'read', app: 'name' },
  'PATCH /v1/apps/:name/settings': { scope: 'deploy', app: 'name' },
  'GET /v1/apps/:name/releases': { scope: 'read', app: 'name' },
  'POST /v1/apps/:name/builds': { scope: 'deploy', app: 'name' },
  'GET /v1/apps/:name/builds': { scope: 'read', app: 'name' },
  'GET /v1/apps/:name/builds/:id/output': { scope: 'read', app: 'name' },
  'GET /v1/apps/:name/buildpacks': { scope: 'read', app: 'name' },
  'PUT /v1/apps/:name/buildpacks': { scope: 'deploy', app: 'name' },
  'DELETE /v1/apps/:name/build-cache': { scope: 'deploy', app: 'name' },
  'GET /git/:repo/*': { scope: 'git', app: 'repo' },
  'POST /git/:repo/*': { scope: 'git', app: 'repo' },
  'GET /v1/apps/:name/logs': { scope: 'read', app: 'name' },
  'GET /v1/apps/:name/domains': { scope: 'read', app: 'name' },
  'POST /v1/apps/:name/domains': { scope: 'admin', app: 'name' },
  'DELETE /v1/apps/:name/domains/:host': { scope: 'admin', app: 'name' },
  'GET /v1/apps/:name/ps': { scope: 'read', app: 'name' },
  'PATCH /v1/apps/:name/formation': { scope: 'deploy', app: 'name' },
  'GET /v1/apps/:name/autoscale': { scope: 'read', app: 'name' },
  'PUT /v1/apps/:name/autoscale/:type': { scope: 'deploy', app: 'name' },
  'DELETE /v1/apps/:name/autoscale/:type': { scope: 'deploy', app: 'name' },
  'POST /v1/apps/:name/ps/restart': { scope: 'deploy', app: 'name' },
  'POST /v1/apps/:name/rollback': { scope: 'deploy', app: 'name' },
  'POST /v1/apps/:name/runs': { scope: 'deploy', app: 'name' },
  'GET /v1/apps/:name/runs': { scope: 'read', app: 'name' },
  'GET /v1/apps/:name/runs/attach': { scope: 'deploy', app: 'name' }, // an HTTP upgrade, checked in routes-runs.ts
  'GET /v1/apps/:name/cron': { scope: 'read', app: 'name' },
  'POST /v1/apps/:name/cron/:id/run': { scope: 'deploy', app: 'name' },
  'GET /v1/apps/:name/access': { scope: 'admin', app: 'name' },
  'POST /v1/apps/:name/access': { scope: 'admin', app: 'name' },
  'DELETE /v1/apps/:name/access/:user': { scope: 'admin', app: 'name' },
  'GET /v1/apps/:name/certs': { scope: 'read', app: 'name' },
  'POST /v1/apps/:name/certs': { scope: 'admin', app: 'name' },
  'DELETE /v1/apps/:name/certs/:id': { scope: 'admin', app: 'name' },
  'GET /v1/users': { scope: 'admin' },
  'POST /v1/users': { scope: 'admin' },
  'DELETE /v1/users/:user': { scope: 'admin' },
  'GET /v1/tokens': { scope: 'admin' },
  'POST /v1/tokens': { scope: 'admin' },
  'DELETE /v1/tokens/:id': { scope: 'admin' },
  'GET /v1/audit': { scope: 'admin' },
  'GET /v1/apps/:name/metrics': { scope: 'read', app: 'name' },
  'GET /v1/metrics/summary': { scope: 'read' },
  'GET /metrics': { scope: 'admin' }, // every app's figures
  'GET /v1/stacks': { scope: 'read' },
  'POST /v1/stacks': { scope: 'admin' }, // minutes of a machine-wide build
  'GET /v1/stacks/:id/sbom': { scope: 'read' },
  'GET /v1/apps/:name/drains': { scope: 'read', app: 'name' },
  'POST /v1/apps/:name/drains': { scope: 'deploy', app: 'name' }, // sends the app's logs elsewhere
  'DELETE /v1/apps/:name/drains/:id': { scope: 'deploy', app: 'name' },
  'GET /': { scope: 'public' },
  'GET /login': { scope: 'public' },
  'GET /apps': { scope: 'public' },
  'GET /apps/:name': { scope: 'public' },
  'GET /apps/:name/:tab': { scope: 'public' },
  'GET /assets/:file': { scope: 'public' },
  'POST /v1/session': { scope: 'public' },
  'GET /v1/session': { scope: 'read' },
  'DELETE /v1/session': { scope: 'read' }, // logging out is no change to the platform
};

export function routeKey(method: string, url: string): string {
  return `${method.toUpperCase()} ${url}`;
}

/** git-receive-pack (a push) needs deploy; fetching and ref listing for a fetch need read. */
export function gitScope(url: string): Scope {
  return /git-receive-pack/.test(url) ? 'deploy' : 'read';
}

/** The need of one matched route, or undefined when the table has no entry. */
export function needOf(method: string, pattern: string, params: Record<string, string>, url: string): { scope: Scope; app?: string } | 'public' | undefined {
  const r = ROUTE_SCOPES[routeKey(method === 'HEAD' ? 'GET' : method, pattern)];
  if (!r) return undefined;
  if (r.scope === 'public') return 'public';
  const scope = r.scope === 'git' ? gitScope(url) : r.scope;
  if (!r.app) return { scope };
  const raw = params[r.app] ?? '';
  return { scope, app: r.app === 'repo' ? raw.replace(/\.git$/, '') : raw };
}
