import { isIP } from 'node:net';
import { SlipwayError } from '../lib/index.js';

/** One instance that may receive requests. `id` (e.g. `web.1`) is unique within its app and shows as `dyno=` in router logs. */
export interface RouteTarget {
  id: string;
  host: string;
  port: number;
  /** `draining`: no new requests; in-flight ones finish (watch `stats()` for zero). */
  state: 'ready' | 'draining';
}

/** What the app is doing, which decides the page shown when no target is ready. */
export type AppRouteState = 'running' | 'starting' | 'idle' | 'crashed' | 'stopped';

export interface AppRoute {
  /** Custom domains; `APP.DOMAIN` is always routed and need not be listed. */
  hosts: string[];
  targets: RouteTarget[];
  state: AppRouteState;
  /**
   * Scale to zero: with no ready target (and not crashed) the app's requests
   * go to the activator, which holds them and asks for a wake.
   */
  activate?: boolean;
  /** Why the app is down (its last exit), for the activator's 503 and log line. */
  reason?: string;
  /** Plain-HTTP requests to the app's hosts are redirected (308) to HTTPS (needs a TLS listener). */
  httpsRedirect?: boolean;
}

export interface RouterOptions {
  /** haproxy.cfg, sockets, map files and error pages live here (created 0700). */
  runDir: string;
  /** Apps answer at APP.DOMAIN. */
  domain: string;
  /** Port 0 picks a free port. */
  listen: { host: string; port: number };
  /** The HTTPS listener (HAProxy terminates TLS; SNI picks the certificate). Port 0 picks a free port. */
  tlsListen?: { host: string; port: number };
  /** One call per request routed to an app, as a Heroku-style router line. */
  onRouterLog: (app: string, line: string) => void;
  /** Default: `haproxy` on PATH, else /usr/sbin/haproxy. */
  haproxyBin?: string;
  /** Time the app has to answer before the client gets 504 (H12). Default 30 s. */
  requestTimeoutMs?: number;
  /**
   * HAProxy worker threads. Default: half the CPUs, at least 1. On a 2-vCPU
   * machine one thread did ~35% more requests per CPU-second than two: the
   * proxy shares the cores with its apps, and its threads contend on the log.
   */
  threads?: number;
  /**
   * Replay a GET/HEAD/OPTIONS on another target when its target dies without
   * answering (kill -9, OOM). Default true; costs ~4 µs of HAProxy CPU per request.
   */
  retrySafeRequests?: boolean;
  /** Hold requests of scaled-to-zero apps while they wake (see activator.ts); without it such apps show H14. */
  activator?: {
    /** Held requests per app (default 100). */
    maxQueue?: number;
    /** Longest wait of a held request (default 25 s, below the request timeout). */
    maxWaitMs?: number;
    wake(app: string): void;
    event(app: string, line: string): void;
  };
}

export interface TargetStats {
  inflight: number;
  /** HAProxy's view: ready, draining, maint, down. */
  state: string;
}

export interface AppStats {
  /** Requests in flight to the app, over every HAProxy worker (old ones finishing after a reload too). */
  inflight: number;
  /** Requests per second over the last second. */
  rate: number;
  /** Requests since HAProxy started (summed over workers; a reload starts a new count): any change means activity. */
  total: number;
  targets: Record<string, TargetStats>;
}

// Names end up in haproxy.cfg, map files and runtime API command lines, where
// a space, newline or `;` would change the meaning. The apps room has its own
// stricter rules; these are the router's own guard, not a copy of them.
const APP_RULE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const HOST_RULE = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const TARGET_ID_RULE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export function checkAppName(app: string): void {
  if (!APP_RULE.test(app)) throw new SlipwayError('E_VALIDATION', `router: app name ${JSON.stringify(app)} is not a valid name`);
}

/** Lowercases and checks a host name (no port, no wildcard). */
export function normalizeHost(host: string): string {
  const h = host.trim().toLowerCase().replace(/\.$/, '');
  if (!HOST_RULE.test(h)) throw new SlipwayError('E_VALIDATION', `router: ${JSON.stringify(host)} is not a valid host name`);
  return h;
}

export function checkTarget(app: string, t: RouteTarget): void {
  const where = `router: app ${app} target ${JSON.stringify(t.id)}`;
  if (!TARGET_ID_RULE.test(t.id)) throw new SlipwayError('E_VALIDATION', `${where}: id must be letters, digits and . _ : -`);
  if (!Number.isInteger(t.port) || t.port < 1 || t.port > 65535) throw new SlipwayError('E_VALIDATION', `${where}: port must be 1-65535`);
  if (t.state !== 'ready' && t.state !== 'draining') throw new SlipwayError('E_VALIDATION', `${where}: state must be ready or draining`);
  if (!isIP(t.host) && !HOST_RULE.test(t.host)) throw new SlipwayError('E_VALIDATION', `${where}: host must be an IP address or a host name`);
}
