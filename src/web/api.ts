// The dashboard talks to the same /v1 API as the CLI, with the session cookie
// instead of a bearer token; every change carries the session's CSRF token.

let csrf: string | null = null;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Called when the session is gone: the app shows the login page. */
let onUnauthorized: () => void = () => undefined;
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-slipway-csrf'] = csrf;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const text = await res.text();
  const json: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const err = (json as { error?: { message?: string; hint?: string } } | undefined)?.error;
    if (res.status === 401 && path !== '/v1/session') onUnauthorized();
    throw new ApiError(res.status, err?.message ?? `${res.status} ${res.statusText}`, err?.hint);
  }
  return json as T;
}

export const get = <T>(path: string): Promise<T> => request<T>('GET', path);

export async function login(token: string): Promise<void> {
  csrf = (await request<{ csrf: string }>('POST', '/v1/session', { token })).csrf;
}

/** After a reload: the session cookie is still there, the CSRF token is asked for again. */
export async function resume(): Promise<boolean> {
  try {
    csrf = (await get<{ csrf: string | null }>('/v1/session')).csrf;
    return csrf !== null;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return false;
    throw err;
  }
}

export async function logout(): Promise<void> {
  await request('DELETE', '/v1/session');
  csrf = null;
}

// Shapes of the API's answers that the pages read.
export interface AppJson {
  name: string;
  web_url: string;
  release: string | null;
  created_at: string;
}
export interface Summary {
  app: string;
  state: 'running' | 'starting' | 'crashed' | 'idle';
  up: number;
  total: number;
  rpm: number[];
  errorShare: number[];
  requests: number;
  errors: number;
}
export interface Series {
  range: string;
  res: number;
  t: number[];
  rps: (number | null)[];
  p50: (number | null)[];
  p95: (number | null)[];
  p99: (number | null)[];
  status: Record<string, (number | null)[]>;
  instances: Record<string, (number | null)[]>;
  memoryMb: Record<string, (number | null)[]>;
  cpuPct: Record<string, (number | null)[]>;
  deploys: number[];
}
export interface Release {
  version: number;
  name: string;
  description: string;
  status: string;
  created_at: string;
  current?: boolean;
}
export interface Ps {
  instances: { name: string; type: string; state: string; release: string; since: string; restarts: number }[];
  formation: { type: string; quantity: number; memory_mb: number | null; command?: string }[];
  autoscale?: { type: string; min: number; max: number; concurrency: number; status: string }[];
}
export interface LogEntry {
  time: string;
  source: string;
  ps?: string;
  release?: string;
  line: string;
}
