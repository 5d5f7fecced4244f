import type { FastifyInstance } from 'fastify';
import { ensureRepo, serveGit } from '../git/index.js';
import { principalOf } from './guard.js';
import type { ApiDeps } from './deps.js';

/**
 * Git smart HTTP at /git/APP.git/... on the API listener, behind the same
 * token check (git sends it as the Basic-auth password).
 */
export function gitRoutes(api: FastifyInstance, deps: ApiDeps): void {
  const handler = async (req: { params: { repo: string; '*': string }; raw: import('node:http').IncomingMessage; body: unknown; url: string }, reply: import('fastify').FastifyReply): Promise<void> => {
    const app = deps.apps.getApp(req.params.repo.replace(/\.git$/, ''));
    await ensureRepo(deps.home, app.name);
    const q = req.url.indexOf('?');
    reply.hijack();
    await serveGit(
      {
        app: app.name,
        subpath: `/${req.params['*']}`,
        query: q >= 0 ? req.url.slice(q + 1) : '',
        req: req.raw,
        body: req.body as NodeJS.ReadableStream | undefined,
        res: reply.raw,
      },
      `${deps.home}/repos`,
      deps.hook,
    );
    // a push is audited here: the reply was hijacked, so the API's onResponse hook never sees it
    if (req.params['*'] === 'git-receive-pack') {
      deps.auth.record(principalOf(req as never), { method: 'POST', path: req.url.split('?')[0] as string, app: app.name, status: reply.raw.statusCode, remote: req.raw.socket.remoteAddress ?? '' });
    }
  };
  api.get('/git/:repo/*', handler as never);
  api.post('/git/:repo/*', handler as never);
}
