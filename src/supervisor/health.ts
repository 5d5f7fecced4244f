import http from 'node:http';
import { sleep } from '../lib/index.js';
import type { HealthCheck } from '../releases/index.js';
import { accepts } from './ports.js';

/** A check from app.json (Dokku's `healthchecks`), as parsed at build time; times in seconds. */
export type Check = HealthCheck;

export interface Probe {
  port: number;
  /** False once the instance has exited: stop probing. */
  alive(): boolean;
  deadline: number;
}

/**
 * Resolves when the instance is ready, rejects with the reason otherwise.
 * Without checks: its port accepts a connection and `GET /` answers below
 * 500 (`acceptOnly`: the port is enough — a wake of a release that passed
 * this at its deploy). With checks: each startup/readiness check passes
 * (2xx/3xx, and the expected content), within its attempts.
 */
export async function waitReady(probe: Probe, checks: Check[], acceptOnly = false): Promise<void> {
  await waitListening(probe);
  const gates = checks.filter((c) => c.type !== 'liveness');
  if (gates.length === 0) return acceptOnly ? undefined : waitDefault(probe);
  for (const c of gates) await runCheck(probe, c);
}

async function waitListening(p: Probe): Promise<void> {
  const from = Date.now();
  while (!(await accepts(p.port))) {
    if (!p.alive()) throw new Error('it exited');
    if (Date.now() > p.deadline) throw new Error(`it did not accept connections on its $PORT (${p.port})`);
    // A refused connect on loopback costs ~50 µs: probe often while a start is
    // likely to finish (a cold start waits on this), then back off.
    await sleep(Date.now() - from < 2000 ? 1 : 40);
  }
}

async function waitDefault(p: Probe): Promise<void> {
  let last = '';
  while (p.alive() && Date.now() < p.deadline) {
    const r = await get(p.port, '/', 5000);
    if (r.status !== undefined && r.status < 500) return;
    last = r.status !== undefined ? `GET / answered ${r.status}` : `GET / failed: ${r.error}`;
    await sleep(100);
  }
  throw new Error(p.alive() ? `it did not answer GET / below 500 in time (${last})` : 'it exited');
}

async function runCheck(p: Probe, c: Check): Promise<void> {
  const attempts = c.attempts ?? 5;
  const label = c.name ?? `${c.type} check ${c.path ?? '(port)'}`;
  if (c.command) throw new Error(`${label}: command checks are not supported yet; use a path check`);
  if (c.initialDelay) await sleep(c.initialDelay * 1000);
  if (c.uptime) {
    // Dokku's uptime check: the process must stay up this long
    await sleep(c.uptime * 1000);
    if (!p.alive()) throw new Error(`${label}: it did not stay up for ${c.uptime} s`);
  }
  let last = '';
  for (let i = 1; i <= attempts; i++) {
    if (!p.alive()) throw new Error('it exited');
    last = await attempt(p, c);
    if (last === '') return;
    if (i < attempts) await sleep((c.wait ?? 2) * 1000);
  }
  throw new Error(`${label} failed after ${attempts} attempts: ${last}`);
}

/** One attempt; '' on success, else what went wrong. */
export async function attempt(p: { port: number }, c: Check): Promise<string> {
  const port = c.port ?? p.port;
  if (!c.path) return (await accepts(port, (c.timeout ?? 5) * 1000)) ? '' : `nothing listens on port ${port}`;
  const r = await get(port, c.path, (c.timeout ?? 5) * 1000);
  if (r.status === undefined) return `GET ${c.path}: ${r.error}`;
  if (r.status < 200 || r.status >= 400) return `GET ${c.path} answered ${r.status}`;
  if (c.content !== undefined && !r.body.includes(c.content)) return `GET ${c.path} did not contain ${JSON.stringify(c.content)}`;
  return '';
}

function get(port: number, path: string, timeoutMs: number): Promise<{ status?: number; body: string; error?: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, headers: { 'user-agent': 'slipway-healthcheck', host: 'localhost' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (body.length < 64 * 1024) body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode, body }));
      res.on('error', (e) => resolve({ body, error: e.message }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', (e) => resolve({ body: '', error: e.message }));
  });
}
