import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parsePackageList } from '../stacks/index.js';
import { toHttpError } from './error-map.js';
import { parseBody, type StackJson } from './schemas.js';
import type { ApiDeps } from './deps.js';

const BuildBody = z.strictObject({
  kind: z.enum(['run', 'build']).default('run'),
  from: z.string().max(40).default('bookworm'),
  packages: z.array(z.string().max(200)).max(200).default([]),
});
const SbomQuery = z.strictObject({ format: z.enum(['spdx', 'cyclonedx']).default('spdx') });

export function stackRoutes(api: FastifyInstance, deps: ApiDeps): void {
  api.get('/v1/stacks', async (): Promise<StackJson[]> => deps.stacks.list());

  // A build takes minutes: progress lines stream as NDJSON ({progress}), then one {result} or {error}.
  api.post('/v1/stacks', async (req, reply) => {
    const body = parseBody(BuildBody, req.body);
    const packages = parsePackageList(body.packages);
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' });
    reply.raw.flushHeaders();
    const write = (obj: unknown): void => void reply.raw.write(`${JSON.stringify(obj)}\n`);
    // mmdebstrap can be silent for minutes (unpacking); an empty object every
    // 15 s keeps HTTP clients' idle-body timeouts (undici: 300 s) from firing.
    const heartbeat = setInterval(() => write({}), 15_000);
    try {
      const { stack, built } = await deps.stacks.build({ kind: body.kind, base: body.from, packages }, (line) => write({ progress: line }));
      write({ result: { id: stack.id, built, packages: stack.packages.length } });
    } catch (err) {
      write({ error: toHttpError(err).body.error });
    } finally {
      clearInterval(heartbeat);
    }
    reply.raw.end();
  });

  api.get<{ Params: { id: string } }>('/v1/stacks/:id/sbom', async (req) => {
    const q = parseBody(SbomQuery, req.query);
    return deps.stacks.sbom(req.params.id, q.format);
  });
}
