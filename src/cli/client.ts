import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { ErrorJson } from '../api/schemas.js';
import { CliError } from './errors.js';
import { readLocalServer, readSaved } from './credentials.js';

export interface Target {
  url: string;
  token: string | undefined;
}

/** A server's answer: the status, and the body as a stream or read whole. */
export interface RawResponse {
  status: number;
  ok: boolean;
  body: AsyncIterable<Buffer>;
  text(): Promise<string>;
}

/**
 * Finds the server and token: SLIPWAY_URL/SLIPWAY_TOKEN, else `slipway login`'s
 * saved credentials, else the local server's server.json + admin-token.
 * A token is only taken from a source whose URL matches the chosen one.
 */
export function resolveTarget(env: NodeJS.ProcessEnv): Target {
  const saved = readSaved(env);
  const local = readLocalServer(env);
  const url = env.SLIPWAY_URL || saved?.url || local?.url;
  if (!url) {
    throw new CliError('no Slipway server configured', 'run `slipway login --url URL --token TOKEN`, set SLIPWAY_URL and SLIPWAY_TOKEN, or start one here with `slipway server`');
  }
  const token = env.SLIPWAY_TOKEN || [saved, local].find((s) => s?.url === url && s.token)?.token;
  return { url: url.replace(/\/+$/, ''), token };
}

// Requests go through node:http(s), not fetch: the first fetch() in a process
// loads undici, which costs a short CLI command more CPU than everything else
// it does (issue 13: `slipway apps` within 1.5x of a bare `node -e ''`).
export class Client {
  constructor(private readonly target: Target) {}

  get url(): string {
    return this.target.url;
  }

  get token(): string | undefined {
    return this.target.token;
  }

  /** A raw request (streams up or down); the caller handles the answer. */
  async raw(method: string, path: string, init: { body?: Readable | string; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<RawResponse> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.target.token) headers.authorization = `Bearer ${this.target.token}`;
    const url = new URL(this.target.url + path);
    const mod = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = mod.request(url, { method, headers }, resolve);
      // A deadline for the whole exchange, body included, as fetch's AbortSignal.timeout was.
      const timer = setTimeout(() => req.destroy(new Error('timed out')), init.timeoutMs ?? 30 * 60_000);
      timer.unref();
      req.on('close', () => clearTimeout(timer));
      req.on('error', (err: NodeJS.ErrnoException) => {
        reject(new CliError(`cannot reach the Slipway server at ${this.target.url} (${err.code ?? err.message})`, 'is it running? start it with `slipway server`, or check SLIPWAY_URL / `slipway login`'));
      });
      if (init.body === undefined || typeof init.body === 'string') req.end(init.body);
      else init.body.on('error', (err) => req.destroy(err)).pipe(req);
    });
    const status = res.statusCode ?? 0;
    return {
      status,
      ok: status >= 200 && status < 300,
      body: res,
      async text() {
        const chunks: Buffer[] = [];
        for await (const c of res) chunks.push(c as Buffer);
        return Buffer.concat(chunks).toString('utf8');
      },
    };
  }

  /** Turns a non-2xx answer into the CliError the user sees. */
  static async failure(res: RawResponse, hadToken: boolean): Promise<CliError> {
    const data = safeJson(await res.text()) as ErrorJson | undefined;
    const e = data?.error;
    if (res.status === 401) return new CliError(e?.message ?? 'unauthorized', hadToken ? 'the token was refused: run `slipway login` again' : 'no token found: run `slipway login --url URL --token TOKEN` or set SLIPWAY_TOKEN', 1, e?.code);
    return new CliError(e?.message ?? `server answered ${res.status}`, e?.hint, 1, e?.code);
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }
  patch<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }
  put<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }
  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.raw(method, path, { headers, body: body === undefined ? undefined : JSON.stringify(body), timeoutMs: 120_000 });
    if (!res.ok) throw await Client.failure(res, Boolean(this.target.token));
    const text = await res.text();
    return (text ? safeJson(text) : undefined) as T;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { error: { code: 'E_BAD_RESPONSE', message: `unexpected answer from the server: ${text.slice(0, 200)}` } };
  }
}
