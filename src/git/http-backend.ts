import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SlipwayError } from '../lib/index.js';
import { HOOK_JS } from './repos.js';

export interface GitRequest {
  app: string;
  /** Path after /git/APP.git, e.g. /info/refs or /git-receive-pack. */
  subpath: string;
  query: string;
  req: IncomingMessage;
  body: NodeJS.ReadableStream | undefined;
  res: ServerResponse;
}

export interface HookEnv {
  /** Where the hook reaches the daemon's build endpoint, and the per-boot token it uses. */
  url: string;
  token: string;
}

const ALLOWED = /^\/(info\/refs|git-upload-pack|git-receive-pack)$/;

/**
 * Bridges one smart-HTTP request to `git http-backend` (CGI): request body to
 * its stdin, its CGI headers to the HTTP status and headers, the rest
 * streamed. Only the three smart-protocol paths are served.
 */
export function serveGit(g: GitRequest, reposRoot: string, hook: HookEnv): Promise<void> {
  if (!ALLOWED.test(g.subpath)) throw new SlipwayError('E_NOT_FOUND', `git: no such path ${g.subpath}`);
  const h = g.req.headers;
  const env: Record<string, string> = {
    PATH: '/usr/bin:/bin',
    GIT_PROJECT_ROOT: reposRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: `/${g.app}.git${g.subpath}`,
    REQUEST_METHOD: g.req.method ?? 'GET',
    QUERY_STRING: g.query,
    CONTENT_TYPE: h['content-type'] ?? '',
    REMOTE_USER: 'slipway',
    REMOTE_ADDR: g.req.socket.remoteAddress ?? '',
    GIT_CONFIG_NOSYSTEM: '1',
    HOME: reposRoot,
    SLIPWAY_NODE: process.execPath,
    SLIPWAY_HOOK_JS: HOOK_JS,
    SLIPWAY_HOOK_URL: hook.url,
    SLIPWAY_HOOK_TOKEN: hook.token,
    SLIPWAY_GIT_APP: g.app,
  };
  if (h['content-encoding']) env.HTTP_CONTENT_ENCODING = String(h['content-encoding']);
  if (h['git-protocol']) env.GIT_PROTOCOL = String(h['git-protocol']);
  if (h['content-length']) env.CONTENT_LENGTH = String(h['content-length']);
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.on('error', reject);
    child.stderr.on('data', (b: Buffer) => process.stderr.write(`git http-backend: ${b.toString()}`));
    if (g.body) g.body.pipe(child.stdin);
    else child.stdin.end();
    child.stdin.on('error', () => undefined); // the backend may exit before reading everything (e.g. a refused push)
    pipeCgiResponse(child.stdout, g.res);
    child.on('close', () => resolve());
    g.res.on('close', () => {
      if (child.exitCode === null) child.kill('SIGTERM');
    });
  });
}

/** Parses CGI headers (`Status: 200 OK`, `Content-Type: ...`) then streams the body. */
function pipeCgiResponse(out: NodeJS.ReadableStream, res: ServerResponse): void {
  let head = Buffer.alloc(0);
  let headersDone = false;
  out.on('data', (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const sep = indexOfBlankLine(head);
    if (sep === undefined) return;
    headersDone = true;
    writeCgiHead(head.subarray(0, sep.at).toString('latin1'), res);
    const rest = head.subarray(sep.at + sep.len);
    if (rest.length) res.write(rest);
  });
  out.on('end', () => {
    if (!headersDone) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('git http-backend gave no response\n');
      return;
    }
    res.end();
  });
}

function indexOfBlankLine(b: Buffer): { at: number; len: number } | undefined {
  const crlf = b.indexOf('\r\n\r\n');
  if (crlf >= 0) return { at: crlf, len: 4 };
  const lf = b.indexOf('\n\n');
  return lf >= 0 ? { at: lf, len: 2 } : undefined;
}

function writeCgiHead(text: string, res: ServerResponse): void {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const k = line.slice(0, i).trim();
    const v = line.slice(i + 1).trim();
    if (k.toLowerCase() === 'status') status = Number.parseInt(v, 10) || 200;
    else headers[k] = v;
  }
  res.writeHead(status, headers);
}
