// The buildpacks' part of the kit: real buildpacks run on the host in temp workspaces.
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { waitFor } from '../lib/index.js';
import { resolveBuildpacks, type BuildpackRef } from '../buildpacks/index.js';
import { builtinRefs } from '../buildpacks/ref.js';
import { runBuildpacks, type BuildpackRunResult } from '../buildpacks/run.js';
import { hostStepRunner } from '../buildpacks/step.js';
import { FIXTURES } from './fixtures.js';
import { httpGet, type Reply } from './http.js';
import { tempDir } from './temp.js';

/**
 * The clean env a build gets, plus the host's CA and proxy settings passed through on purpose:
 * behind a TLS-inspecting proxy npm hangs without them (see MEASUREMENTS.md).
 */
export function stepEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  const keep = ['PATH', 'HOME', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'npm_config_cafile', 'PIP_CERT',
    'REQUESTS_CA_BUNDLE', 'HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'];
  for (const k of keep) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return { ...env, ...extra };
}

export interface Workspace {
  root: string;
  buildDir: string;
  cacheDir: string;
  envDir: string;
}

/** A temp workspace with a copy of fixtures/apps/<app> as the build dir. */
export async function workspace(t: TestContext, app?: string): Promise<Workspace> {
  const root = tempDir(t, 'slipway-bp-');
  const ws = { root, buildDir: path.join(root, 'build'), cacheDir: path.join(root, 'cache'), envDir: path.join(root, 'env') };
  await Promise.all([mkdir(ws.cacheDir), mkdir(ws.envDir)]);
  if (app) await cp(path.join(FIXTURES, 'apps', app), ws.buildDir, { recursive: true });
  else await mkdir(ws.buildDir);
  return ws;
}

/** A fresh build dir (new copy of the app) reusing the workspace's cache: a second push. */
export async function rebuildDir(ws: Workspace, app: string): Promise<Workspace> {
  const buildDir = path.join(ws.root, `build-${Date.now()}`);
  await cp(path.join(FIXTURES, 'apps', app), buildDir, { recursive: true });
  return { ...ws, buildDir };
}

/** Runs the real buildpacks on the host; returns the result and every log line. */
export async function build(
  ws: Workspace,
  opts: { refs?: BuildpackRef[]; env?: Record<string, string> } = {},
): Promise<{ result: BuildpackRunResult; log: string[] }> {
  const log: string[] = [];
  const buildpacks = await resolveBuildpacks(opts.refs ?? builtinRefs(), { workDir: path.join(ws.root, 'bps'), log: (l) => log.push(l) });
  try {
    const result = await runBuildpacks({
      buildpacks,
      detect: opts.refs === undefined,
      layout: { buildDir: ws.buildDir, cacheDir: ws.cacheDir, envDir: ws.envDir },
      env: opts.env ?? stepEnv(),
      runStep: hostStepRunner,
      log: (l) => log.push(l),
    });
    return { result, log };
  } catch (err) {
    // Attach the build log: the test runner prints it with the error, and tests can inspect it.
    if (err instanceof Error) Object.assign(err, { buildLog: log });
    throw err;
  }
}

/** Starts a long-running process, killed in t.after(). */
export function startProcess(t: TestContext, argv: string[], opts: { cwd: string; env: Record<string, string> }): ChildProcess {
  const [cmd, ...args] = argv;
  if (!cmd) throw new TypeError('empty argv');
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'ignore', 'inherit'] });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

/** The first answer of a server starting on PORT (any status). */
export function waitForHttp(port: number): Promise<Reply> {
  return waitFor(() => httpGet(`http://127.0.0.1:${port}/`), { timeoutMs: 10_000, what: `HTTP on port ${port}` });
}
