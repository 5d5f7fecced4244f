import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, waitFor, type RunResult } from '../lib/index.js';
import { cleanEnv, fixtureRepo, GIT_IDENTITY } from './fixtures.js';
import { tempDir, type After } from './temp.js';

/** The compiled `slipway` executable. */
export const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));

export interface ServerInfo {
  pid: number;
  api: string;
  router: string;
  domain: string;
  version: string;
}

/**
 * Node releases that apps ask for (engines.node) are big; every test server
 * shares one machine-wide runtime cache, which is content-addressed and
 * written by rename, so servers running at once cannot tear each other's.
 */
export const TEST_RUNTIME_CACHE = path.join(os.tmpdir(), 'slipway-test-runtimes');

/** A real `slipway server` child process on port 0 in a temp home. */
export class Daemon {
  child: ChildProcess | undefined;
  info!: ServerInfo;
  token!: string;
  readonly configHome: string;
  stderr = '';

  constructor(readonly home: string, configHome: string) {
    this.configHome = configHome;
  }

  extraArgs: string[] = [];

  static async start(t: After, opts: { args?: string[] } = {}): Promise<Daemon> {
    // after-hooks run in the order registered: the server dies before its home is removed (else it writes into it meanwhile)
    let d: Daemon | undefined;
    t.after(() => d?.stop('SIGKILL'));
    d = new Daemon(tempDir(t, 'slipway-home-'), tempDir(t, 'slipway-cfg-'));
    d.extraArgs = opts.args ?? [];
    await d.boot();
    return d;
  }

  async boot(): Promise<void> {
    const child = spawn(process.execPath, [BIN, 'server', '--home', this.home, '--api-listen', '127.0.0.1:0', '--router-listen', '127.0.0.1:0', ...(this.extraArgs.includes('--runtime-cache') ? [] : ['--runtime-cache', TEST_RUNTIME_CACHE]), ...this.extraArgs], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let stdout = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (this.stderr += b.toString()));
    // A state with a generous deadline: on a loaded 2-core machine a start can take well over 20 s.
    await waitFor(() => stdout.includes('slipway ready') || child.exitCode !== null, { timeoutMs: 90_000, what: 'slipway ready' });
    if (!stdout.includes('slipway ready')) throw new Error(`server exited ${child.exitCode}: ${this.stderr}`);
    this.info = JSON.parse(readFileSync(path.join(this.home, 'server.json'), 'utf8')) as ServerInfo;
    this.token = readFileSync(path.join(this.home, 'admin-token'), 'utf8').trim();
  }

  /** Stops the server; resolves with its exit code (or signal). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string | null> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return c?.exitCode ?? c?.signalCode ?? null;
    const exited = new Promise<number | string | null>((r) => c.once('exit', (code, sig) => r(code ?? sig)));
    c.kill(signal);
    return exited;
  }

  /** Runs the real CLI against this server (SLIPWAY_URL + SLIPWAY_TOKEN unless env overrides). */
  cli(args: string[], opts: { env?: Record<string, string>; cwd?: string; input?: string } = {}): Promise<RunResult> {
    const env = cleanEnv({ SLIPWAY_URL: this.info.api, SLIPWAY_TOKEN: this.token, XDG_CONFIG_HOME: this.configHome, ...opts.env });
    return run([process.execPath, BIN, ...args], { env, cwd: opts.cwd, input: opts.input, allowFailure: true, timeoutMs: 30_000 });
  }

  /** The environment a user's git needs to push here (the credential helper asks the CLI for the token). */
  gitEnv(): NodeJS.ProcessEnv {
    return cleanEnv({ SLIPWAY_URL: this.info.api, SLIPWAY_TOKEN: this.token, XDG_CONFIG_HOME: this.configHome, ...GIT_IDENTITY });
  }

  /**
   * apps:create APP, a git repo of fixtures/apps/FIXTURE with the `slipway`
   * remote set, and (unless push is false) a push of main that must succeed.
   * Returns the repo's directory.
   */
  async appFromFixture(t: After, app: string, fixture: string, opts: { push?: boolean } = {}): Promise<string> {
    const must = (r: RunResult, what: string): void => {
      if (r.exitCode !== 0) throw new Error(`${what} failed (${r.exitCode}): ${r.stderr}`);
    };
    must(await this.cli(['apps:create', app]), `apps:create ${app}`);
    const dir = await fixtureRepo(t, fixture);
    must(await this.cli(['git:remote', '-a', app], { cwd: dir }), 'git:remote');
    if (opts.push !== false) must(await this.git(['push', 'slipway', 'main'], dir), `git push of ${fixture}`);
    return dir;
  }

  git(args: string[], cwd: string): Promise<RunResult> {
    return run(['git', ...args], { cwd, env: this.gitEnv(), allowFailure: true, timeoutMs: 300_000 });
  }

  async api(method: string, urlPath: string, body?: unknown, token: string | null = this.token): Promise<{ status: number; json: any; text: string }> {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.info.api + urlPath, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  }
}
