import http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, waitFor, type RunResult } from '../lib/index.js';

export const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));

interface After {
  after(fn: () => unknown): void;
}

export interface ServerInfo {
  pid: number;
  api: string;
  router: string;
  domain: string;
  version: string;
}

/** An environment without the developer's own Slipway settings or saved login. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SLIPWAY_') && !k.startsWith('NODE_TEST')) env[k] = v;
  return { ...env, ...extra };
}

export function tempDir(t: After, prefix = 'slipway-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

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
    const d = new Daemon(tempDir(t, 'slipway-home-'), tempDir(t, 'slipway-cfg-'));
    d.extraArgs = opts.args ?? [];
    t.after(() => d.stop('SIGKILL'));
    await d.boot();
    return d;
  }

  async boot(): Promise<void> {
    const child = spawn(process.execPath, [BIN, 'server', '--home', this.home, '--api-listen', '127.0.0.1:0', '--router-listen', '127.0.0.1:0', ...this.extraArgs], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let stdout = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (this.stderr += b.toString()));
    await waitFor(() => stdout.includes('slipway ready') || child.exitCode !== null, { timeoutMs: 20_000, what: 'slipway ready' });
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

/** A GET with an explicit Host header (fetch does not allow setting Host). */
export function httpGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`GET ${url} timed out`)));
  });
}

export const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url));

const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1',
};

/** Copies fixtures/apps/NAME into a temp dir and makes it a git repo with one commit on main. */
export async function fixtureRepo(t: After, name: string): Promise<string> {
  const dir = tempDir(t, `app-${name}-`);
  cpSync(path.join(FIXTURES, 'apps', name), dir, { recursive: true });
  const env = cleanEnv(GIT_IDENTITY);
  await run(['git', 'init', '-q', '-b', 'main'], { cwd: dir, env });
  await run(['git', 'add', '-A'], { cwd: dir, env });
  await run(['git', 'commit', '-qm', 'init'], { cwd: dir, env });
  return dir;
}

export async function commitAll(dir: string, message: string): Promise<string> {
  const env = cleanEnv(GIT_IDENTITY);
  await run(['git', 'add', '-A'], { cwd: dir, env });
  await run(['git', 'commit', '-qm', message], { cwd: dir, env });
  return (await run(['git', 'rev-parse', 'HEAD'], { cwd: dir, env })).stdout.trim();
}
