import type { FastifyInstance } from 'fastify';
import { SETTING_DOCS, type AppView } from '../apps/index.js';
import type { ReleaseRow } from '../releases/index.js';
import { principalOf } from './guard.js';
import type { ApiDeps } from './deps.js';
import { CreateAppBody, parseBody, type AppJson, type ConfigPatchJson, type ReleaseJson } from './schemas.js';

type NameParams = { Params: { name: string } };

export function appRoutes(api: FastifyInstance, deps: ApiDeps): void {
  const appJson = ({ app, release }: AppView): AppJson => ({
    name: app.name,
    web_url: deps.webUrl(app.name),
    git_url: deps.gitUrl(app.name),
    created_at: app.created_at,
    release: release ? `v${release.version}` : null,
    config_vars: release ? Object.keys(release.config).length : 0,
    problems: [deps.cron.problem(app.name)].filter((p): p is string => p !== undefined),
  });

  // only the apps this token may see
  api.get('/v1/apps', async (req) => deps.apps.list().filter((v) => deps.auth.canSee(principalOf(req), v.app.name)).map(appJson));

  api.post('/v1/apps', async (req, reply) => {
    const body = parseBody(CreateAppBody, req.body);
    const view = deps.apps.create(body.name);
    await deps.route(view.app.name);
    return reply.code(201).send(appJson(view));
  });

  api.get<NameParams>('/v1/apps/:name', async (req) => appJson(deps.apps.view(req.params.name)));

  api.delete<NameParams>('/v1/apps/:name', async (req) => {
    await deps.ops.stopApp(deps.apps.getApp(req.params.name).name);
    const app = deps.apps.destroy(req.params.name);
    await deps.route(app.name); // gone from the router before we answer
    return { name: app.name, destroyed: true };
  });

  api.get<NameParams>('/v1/apps/:name/config', async (req) => deps.config.get(deps.apps.getApp(req.params.name).id));

  // A config change is a new release, and the app restarts on it (as on
  // Heroku). If the restart fails the release is marked failed and the
  // previous config keeps running.
  api.patch<NameParams>('/v1/apps/:name/config', async (req): Promise<ConfigPatchJson> => {
    const app = deps.apps.getApp(req.params.name);
    const change = deps.config.patch(app.id, req.body);
    if (change.release) await deps.ops.deploy(app.name, change.release.version);
    return { config: change.config, release: change.release ? `v${change.release.version}` : null };
  });

  api.get<NameParams>('/v1/apps/:name/settings', async (req) => ({ settings: deps.apps.getApp(req.params.name).settings, known: SETTING_DOCS }));
  // Applies from the next deploy, restart or scale.
  api.patch<NameParams>('/v1/apps/:name/settings', async (req) => ({ settings: deps.apps.updateSettings(req.params.name, req.body), known: SETTING_DOCS }));

  api.get<NameParams>('/v1/apps/:name/releases', async (req) =>
    deps.releases.list(deps.apps.getApp(req.params.name).id).map(releaseJson),
  );
}

/** Releases are listed without their config: listings never show secrets. */
function releaseJson(r: ReleaseRow): ReleaseJson {
  return {
    version: r.version,
    name: `v${r.version}`,
    description: r.description,
    status: r.status,
    slug: r.slug,
    process_types: r.process_types,
    created_at: r.created_at,
  };
}
