import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { receiveUpload, validateBuildpackSpecs, type BuildApp } from '../builds/index.js';
import { SlipwayError } from '../lib/index.js';
import { toHttpError } from './error-map.js';
import { parseBody, type BuildJson } from './schemas.js';
import type { ApiDeps } from './deps.js';

type NameParams = { Params: { name: string } };

/** Source archives up to this size (compressed or not) are accepted by POST .../builds. */
export const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;

const BuildQuery = z.strictObject({
  source: z.enum(['git', 'upload']).default('upload'),
  commit: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'must be a full commit sha').optional(),
});
const BuildpacksBody = z.strictObject({ buildpacks: z.array(z.string().max(2048)).max(20) });

export function buildRoutes(api: FastifyInstance, deps: ApiDeps): void {
  const appFor = (name: string): BuildApp => deps.apps.getApp(name);

  api.post<NameParams>('/v1/apps/:name/builds', async (req, reply) => {
    const app = appFor(req.params.name);
    const q = parseBody(BuildQuery, req.query);
    if (!req.body || typeof (req.body as NodeJS.ReadableStream).pipe !== 'function') {
      throw new SlipwayError('E_BAD_REQUEST', 'send the app as a tar archive (Content-Type: application/x-tar or application/gzip)', { hint: 'use `slipway deploy DIR` or `git push`' });
    }
    const { build, ws } = deps.builds.newBuild(app, q.source, q.commit ?? null);
    try {
      await receiveUpload(req.body as NodeJS.ReadableStream, ws.archive, MAX_UPLOAD_BYTES);
    } catch (err) {
      deps.builds.abandon(app, build, ws, 'the upload was refused or cut off');
      throw err;
    }
    streamBuild(reply, build.id);
    const write = (obj: unknown): void => void reply.raw.write(`${JSON.stringify(obj)}\n`);
    try {
      const out = await deps.builds.build(app, build, ws, { source: q.source, commit: q.commit ?? null, archive: ws.archive }, (line) => write({ log: line }));
      write({ result: { status: 'succeeded', build: build.id, release: `v${out.release}`, process_types: out.processTypes } });
    } catch (err) {
      write({ result: { status: 'failed', build: build.id }, error: toHttpError(err).body.error });
    }
    reply.raw.end();
  });

  api.get<NameParams>('/v1/apps/:name/builds', async (req): Promise<BuildJson[]> => deps.builds.list(appFor(req.params.name)).map(buildJson));

  api.get<{ Params: { name: string; id: string } }>('/v1/apps/:name/builds/:id/output', async (req, reply) => {
    const { log } = deps.builds.output(appFor(req.params.name), req.params.id);
    return reply.type('text/plain; charset=utf-8').send(log);
  });

  api.get<NameParams>('/v1/apps/:name/buildpacks', async (req) => ({ buildpacks: appFor(req.params.name).buildpacks }));

  api.put<NameParams>('/v1/apps/:name/buildpacks', async (req) => {
    const body = parseBody(BuildpacksBody, req.body);
    const specs = validateBuildpackSpecs(body.buildpacks);
    return { buildpacks: deps.apps.setBuildpacks(req.params.name, specs).buildpacks };
  });

  api.delete<NameParams>('/v1/apps/:name/build-cache', async (req) => {
    const app = appFor(req.params.name);
    if (deps.builds.isBuilding(app)) throw new SlipwayError('E_BUILD_SUPERSEDED', `${app.name} is building; clear the cache after the build ends`);
    deps.builds.clearCache(app);
    return { cleared: true };
  });
}

/** The build log streams as NDJSON: {"log": line}... then one {"result": ...}. */
function streamBuild(reply: FastifyReply, id: string): void {
  reply.hijack();
  reply.raw.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store', 'x-slipway-build': id });
  reply.raw.flushHeaders();
}

function buildJson(b: import('../builds/index.js').BuildRecord): BuildJson {
  const ms = b.finished_at ? Date.parse(b.finished_at) - Date.parse(b.created_at) : null;
  return { id: b.id, status: b.status, source: b.source, commit: b.commit_sha, release: b.release_version ? `v${b.release_version}` : null, buildpacks: b.buildpacks, error: b.error, created_at: b.created_at, finished_at: b.finished_at, duration_ms: ms };
}
