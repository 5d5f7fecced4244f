import { builtinRefs, parseBuildpackRef, resolveBuildpacks, runBuildpacks, type BuildpackRef, type NodeRuntimeChoice, type NodeRuntimes, type ResolvedBuildpack } from '../buildpacks/index.js';
import { randomBytes } from 'node:crypto';
import { cp, rm } from 'node:fs/promises';
import { planAppEnv } from '../procfile/index.js';
import { SlipwayError } from '../lib/index.js';
import path from 'node:path';
import { extractArchive } from './archive.js';
import { readManifests, type Manifests } from './manifests.js';
import { runPredeploy } from './predeploy.js';
import { SANDBOX_LAYOUT, sandboxedStepRunner } from './step-runner.js';
import type { BuildApp, BuildSource } from './types.js';
import { prepareForUser, type Workspace } from './workspace.js';

export interface PipelineInput {
  app: BuildApp;
  src: BuildSource;
  ws: Workspace;
  config: Record<string, string>;
  deadline: number;
  /** Proxy and CA settings of the host, passed to builds on purpose (see MEASUREMENTS.md). */
  hostEnv: Record<string, string>;
  log: (line: string) => void;
  /** Node releases for `engines.node`, and the host directory sandboxes see at RUNTIMES_MOUNT. */
  runtimes: { node: NodeRuntimes; dir: string };
  /** No build of this app has run yet: app.json `env` applies. */
  firstDeploy: boolean;
}

export interface PipelineResult {
  processTypes: Record<string, string>;
  /** Buildpacks' `config_vars`, for keys the app has not set. */
  defaultConfig: Record<string, string>;
  /** app.json `env` values and generated secrets of a first deploy, for keys the app has not set. */
  appEnv: Record<string, string>;
  /** app.json as parsed (healthchecks, cron, formation travel with the release). */
  appJson: unknown;
  buildpacks: string[];
}

/** detect → compile → release for one build, in small steps. Each failure throws a SlipwayError the caller reports. */
export async function runPipeline(p: PipelineInput): Promise<PipelineResult> {
  await extractArchive(p.src.archive, p.ws.app);
  const manifests = readManifests(p.ws.app);
  for (const w of manifests.warnings) p.log(` !     warning: ${w}`);
  const { refs, detect } = chooseBuildpacks(p.app, manifests);
  const appEnv = p.firstDeploy ? applyAppEnv(manifests, p.config, p.log) : {};
  const config = { ...p.config, ...appEnv };
  const node = manifests.enginesNode === undefined ? undefined : await p.runtimes.node.choose(manifests.enginesNode, p.log);
  const buildpacks = await privateCopies(await resolveBuildpacks(refs, { workDir: p.ws.buildpacks, log: p.log }), p.ws);
  await prepareForUser(p.ws, p.app.name, p.app.uid, config);
  const env = buildEnv(p, node);
  const runStep = sandboxedStepRunner({ ws: p.ws, uid: p.app.uid, hostname: p.app.name, buildpackDirs: buildpackMounts(buildpacks), runtimesDir: p.runtimes.dir, deadline: p.deadline });
  const result = await runBuildpacks({ buildpacks, detect, layout: SANDBOX_LAYOUT, env, runStep, log: p.log });
  const predeploy = manifests.appJson?.scripts?.dokku?.predeploy;
  if (predeploy !== undefined) await runPredeploy({ command: predeploy, runStep, cwd: SANDBOX_LAYOUT.buildDir, env: { ...config, ...env }, log: p.log });
  const processTypes = { ...result.defaultProcessTypes, ...(manifests.procfile ?? {}) };
  logProcessTypes(p.log, processTypes, manifests.procfile !== undefined);
  return { processTypes, defaultConfig: result.configVars, appEnv, appJson: manifests.appJson ?? null, buildpacks: result.buildpacks.map((b) => b.spec) };
}

/**
 * app.json `env` on a first deploy: missing required keys fail the build
 * before anything runs; values and generated secrets become config vars of
 * the release (and ENV_DIR now). Values are never logged.
 */
function applyAppEnv(m: Manifests, current: Record<string, string>, log: (line: string) => void): Record<string, string> {
  const env = m.appJson?.env;
  if (env === undefined) return {};
  const plan = planAppEnv(env, current, () => randomBytes(32).toString('hex'));
  if (plan.missing.length > 0) {
    throw new SlipwayError('E_BUILD_FAILED', `app.json env: required config vars are not set: ${plan.missing.join(', ')}`, {
      hint: `set them with \`slipway config:set ${plan.missing.map((k) => `${k}=...`).join(' ')}\`, then push again`,
    });
  }
  const keys = Object.keys(plan.set);
  if (keys.length > 0) log(`-----> app.json env (first deploy): setting ${keys.map((k) => (plan.generated.includes(k) ? `${k} (generated)` : k)).join(', ')}`);
  return plan.set;
}

/** The app's list (buildpacks:set), else app.json's `buildpacks`, else detection over the built-ins. */
function chooseBuildpacks(app: BuildApp, m: Manifests): { refs: BuildpackRef[]; detect: boolean } {
  if (app.buildpacks.length > 0) return { refs: app.buildpacks.map(parseBuildpackRef), detect: false };
  const fromJson = m.appJson?.buildpacks?.map((b) => b.url) ?? [];
  if (fromJson.length > 0) return { refs: fromJson.map(parseBuildpackRef), detect: false };
  return { refs: builtinRefs(), detect: true };
}

/**
 * Buildpacks write `export` files into their own directory during compile,
 * so each build gets its own writable copy of a path buildpack (an operator's
 * shared directory is never writable by an app, and an old `export` never
 * leaks into the next build). Git buildpacks are already cloned per build.
 */
async function privateCopies(bps: ResolvedBuildpack[], ws: Workspace): Promise<ResolvedBuildpack[]> {
  const out: ResolvedBuildpack[] = [];
  for (const [i, bp] of bps.entries()) {
    if (bp.ref.kind !== 'path') {
      out.push(bp);
      continue;
    }
    const dir = path.join(ws.buildpacks, `path-${i}`);
    await cp(bp.dir, dir, { recursive: true, verbatimSymlinks: true });
    await rm(path.join(dir, 'export'), { force: true });
    out.push({ ...bp, dir });
  }
  return out;
}

/** Built-ins are shared and read-only; the per-build copies and clones are writable. */
function buildpackMounts(bps: ResolvedBuildpack[]): { dir: string; readOnly: boolean }[] {
  const seen = new Map<string, boolean>();
  for (const b of bps) seen.set(b.dir, b.ref.kind === 'builtin');
  return [...seen].map(([dir, readOnly]) => ({ dir, readOnly }));
}

/**
 * A clean environment: nothing of the daemon's own, only what a build needs and the host's proxy/CA settings.
 * The Node that engines.node chose comes first on PATH; SLIPWAY_NODE_BIN tells the nodejs buildpack
 * to put it first at run time too (its .profile.d).
 */
function buildEnv(p: PipelineInput, node: NodeRuntimeChoice | undefined): Record<string, string> {
  const env: Record<string, string> = {
    ...p.hostEnv,
    PATH: `${node?.binDir ? `${node.binDir}:` : ''}/usr/local/bin:/usr/bin:/bin`,
    HOME: '/app',
    LANG: 'C.UTF-8',
    STACK: 'slipway-1',
    SLIPWAY_APP: p.app.name,
  };
  if (p.src.commit) env.SOURCE_VERSION = p.src.commit;
  if (node?.binDir) env.SLIPWAY_NODE_BIN = node.binDir;
  return env;
}

function logProcessTypes(log: (l: string) => void, types: Record<string, string>, fromProcfile: boolean): void {
  log('-----> Discovering process types');
  const names = Object.keys(types);
  if (names.length === 0) {
    log('       No process types: add a Procfile (e.g. `web: node server.js`) so the app can run');
    return;
  }
  log(`       ${fromProcfile ? 'Procfile declares' : 'Default'} types -> ${names.join(', ')}`);
}

/** Variables of the host that builds must honour to reach package registries (proxies, private CAs). */
export const HOST_ENV_PASSTHROUGH = [
  'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy',
  'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'REQUESTS_CA_BUNDLE', 'PIP_CERT', 'CURL_CA_BUNDLE', 'GIT_SSL_CAINFO',
  'npm_config_cafile', 'npm_config_registry', 'PIP_INDEX_URL',
];

export function hostEnvFrom(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of HOST_ENV_PASSTHROUGH) {
    const v = env[k];
    if (v) out[k] = v;
  }
  return out;
}
