import { rmSync } from 'node:fs';
import type { NodeRuntimes } from '../buildpacks/index.js';
import { BuildLog, buildLogFile, readBuildLog } from '../logs/index.js';
import { SlipwayError, isSlipwayError, resolveInside } from '../lib/index.js';
import { hostEnvFrom, runPipeline } from './pipeline.js';
import { BuildQueue } from './queue.js';
import { installReleaseDir, packSlug } from '../releases/index.js';
import type { BuildApp, BuildOutcome, BuildRecord, BuildRecords, BuildSource, ReleaseSink } from './types.js';
import { createWorkspace, removeWorkspace, takeCache, workspaceFor, type Workspace } from './workspace.js';

export interface BuildServiceDeps {
  home: string;
  records: BuildRecords;
  releases: ReleaseSink;
  webUrl(app: string): string;
  /** Build lines also go to the app's merged log stream (source `build`). */
  appLog?(app: string, line: string): void;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Node releases for `engines.node` and the shared cache directory sandboxes mount. */
  runtimes: { node: NodeRuntimes; dir: string };
}

export const DEFAULT_BUILD_TIMEOUT_MS = 15 * 60_000;

/**
 * Runs builds: one at a time per app (a newer push supersedes a waiting
 * one), each with a deadline, its log kept as a file and streamed to the
 * caller. Success is a new release; failure leaves every release untouched.
 */
export class BuildService {
  private readonly queue = new BuildQueue();
  private readonly logsRoot: string;

  constructor(private readonly deps: BuildServiceDeps) {
    this.logsRoot = resolveInside(deps.home, 'logs');
  }

  /** A workspace for an incoming archive; the caller writes `archive` then calls build(). */
  newBuild(app: BuildApp, source: BuildSource['source'], commit: string | null): { build: BuildRecord; ws: Workspace } {
    const build = this.deps.records.insert(app.id, source, commit);
    const ws = workspaceFor(this.deps.home, app.name, build.id);
    createWorkspace(ws);
    return { build, ws };
  }

  /** Discards a build whose upload never completed. */
  abandon(app: BuildApp, build: BuildRecord, ws: Workspace, reason: string): void {
    this.deps.records.finish(build.id, { status: 'failed', error: reason });
    removeWorkspace(ws);
  }

  async build(app: BuildApp, build: BuildRecord, ws: Workspace, src: BuildSource, onLine: (line: string) => void): Promise<BuildOutcome> {
    const log = new BuildLog(buildLogFile(this.logsRoot, app.name, build.id));
    const unsubscribe = log.subscribe(onLine);
    const unsubscribeApp = log.subscribe((l) => this.deps.appLog?.(app.name, l));
    try {
      const done = await this.queue.acquire(app.name, () => log.line(`-----> Waiting for the running build of ${app.name} to finish...`));
      try {
        return await this.runOne(app, build, ws, src, log);
      } finally {
        done();
      }
    } catch (err) {
      this.reportFailure(log, build, err);
      throw err;
    } finally {
      unsubscribe();
      unsubscribeApp();
      log.close();
      removeWorkspace(ws);
    }
  }

  private async runOne(app: BuildApp, build: BuildRecord, ws: Workspace, src: BuildSource, log: BuildLog): Promise<BuildOutcome> {
    this.deps.records.setRunning(build.id);
    takeCache(ws);
    const started = Date.now();
    const timeoutMs = this.deps.timeoutMs ?? DEFAULT_BUILD_TIMEOUT_MS;
    const deadline = started + timeoutMs;
    log.line(`-----> Building ${app.name}${src.commit ? ` (${src.commit.slice(0, 7)})` : ' from an upload'}`);
    const line = (l: string): void => log.line(l);
    let result;
    try {
      result = await runPipeline({ app, src, ws, config: this.deps.releases.config(app.id), deadline, hostEnv: hostEnvFrom(this.deps.env ?? process.env), log: line, runtimes: this.deps.runtimes, firstDeploy: !this.deps.releases.hasDeployed(app.id) });
    } catch (err) {
      if (Date.now() >= deadline) throw new SlipwayError('E_BUILD_TIMEOUT', `the build passed its time limit (${Math.round(timeoutMs / 1000)} s) and was stopped`, { hint: 'make the build faster or raise the limit', cause: err });
      throw err;
    }
    this.deps.records.setBuildpacks(build.id, result.buildpacks);
    log.line('-----> Compressing...');
    await packSlug(this.deps.home, app.name, build.id, ws.app);
    installReleaseDir(this.deps.home, app.name, build.id, ws.app);
    const description = src.commit ? `Deploy ${src.commit.slice(0, 7)}` : 'Deploy (upload)';
    const version = this.deps.releases.create(app.id, { slug: build.id, processTypes: result.processTypes, description, defaultConfig: result.defaultConfig, appEnv: result.appEnv, appJson: result.appJson });
    await this.deps.releases.deploy(app.name, version, line);
    this.deps.records.finish(build.id, { status: 'succeeded', release: version });
    log.line(`-----> Launching... done, v${version}`);
    await this.deps.releases.postdeploy(app.name, version, line).catch((err: unknown) => {
      // The release is out and serving: a postdeploy that could not even start is reported, not a failed build.
      log.line(` !     postdeploy could not run: ${isSlipwayError(err) || err instanceof Error ? err.message : String(err)}`);
    });
    log.line(`       ${this.deps.webUrl(app.name)} deployed to Slipway (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return { build: { ...build, status: 'succeeded', release_version: version }, release: version, processTypes: result.processTypes };
  }

  private reportFailure(log: BuildLog, build: BuildRecord, err: unknown): void {
    const message = isSlipwayError(err) ? err.message : 'internal error during the build; see the server log';
    if (!isSlipwayError(err)) process.stderr.write(`slipway: build ${build.id} crashed: ${err instanceof Error ? err.stack : String(err)}\n`);
    this.deps.records.finish(build.id, { status: 'failed', error: message });
    log.line(` !     ${message}`);
    if (isSlipwayError(err) && err.hint) log.line(` !     ${err.hint}`);
    log.line(' !     Build failed: nothing was released; the running release is unchanged.');
  }

  list(app: BuildApp): BuildRecord[] {
    return this.deps.records.list(app.id);
  }

  /** The whole log of a build (`latest` or an id). */
  output(app: BuildApp, id: string): { build: BuildRecord; log: string } {
    const build = id === 'latest' ? this.deps.records.list(app.id, 1)[0] : this.deps.records.get(id);
    if (!build || ('app_id' in build && build.app_id !== app.id)) {
      throw new SlipwayError('E_BUILD_NOT_FOUND', id === 'latest' ? `${app.name} has no builds yet` : `build ${id} of ${app.name} not found`, { hint: `run \`slipway builds -a ${app.name}\`` });
    }
    return { build, log: readBuildLog(this.logsRoot, app.name, build.id) ?? '' };
  }

  clearCache(app: BuildApp): void {
    rmSync(resolveInside(this.deps.home, 'cache', app.name), { recursive: true, force: true });
  }

  isBuilding(app: BuildApp): boolean {
    return this.queue.isBusy(app.name);
  }
}
