import type { ErrorJson } from '../api/schemas.js';
import { CliError } from './errors.js';
import { readLocalServer, readSaved } from './credentials.js';

export interface Target {
  url: string;
  token: string | undefined;
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

export class Client {
  constructor(private readonly target: Target) {}

  get url(): string {
    return this.target.url;
  }

  get token(): string | undefined {
    return this.target.token;
  }

  /** A raw request (streams up or down); the caller handles the answer. */
  async raw(method: string, path: string, init: { body?: ReadableStream | null; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.target.token) headers.authorization = `Bearer ${this.target.token}`;
    try {
      return await fetch(this.target.url + path, { method, headers, body: init.body ?? null, duplex: 'half', signal: AbortSignal.timeout(init.timeoutMs ?? 30 * 60_000) } as RequestInit);
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new CliError(`cannot reach the Slipway server at ${this.target.url} (${cause})`, 'is it running? start it with `slipway server`, or check SLIPWAY_URL / `slipway login`');
    }
  }

  /** Turns a non-2xx answer into the CliError the user sees. */
  static async failure(res: Response, hadToken: boolean): Promise<CliError> {
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
    if (this.target.token) headers.authorization = `Bearer ${this.target.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.target.url + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(120_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new CliError(`cannot reach the Slipway server at ${this.target.url} (${cause})`, 'is it running? start it with `slipway server`, or check SLIPWAY_URL / `slipway login`');
    }
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
