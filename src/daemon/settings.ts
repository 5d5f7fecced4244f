import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { SlipwayError } from '../lib/index.js';
import { defaultStackCacheRoot } from '../stacks/index.js';

export interface Listen {
  host: string;
  port: number;
}

export interface Settings {
  home: string;
  apiListen: Listen;
  routerListen: Listen;
  /** HTTPS on the router (HAProxy terminates TLS), when set. */
  routerTlsListen?: Listen;
  domain: string;
  buildTimeoutMs: number;
  /** Unpacked release directories kept per app besides the running one (slugs are always kept). */
  keepReleases: number;
  /** Test clock for cron: schedules run this many times faster (1 in production). */
  cronTimeScale: number;
  /** How often the autoscaler reads the router's figures. */
  autoscaleTickMs: number;
  /** Shared cache of language runtimes (Node releases for engines.node); sandboxes see it read-only. */
  runtimeCache: string;
  /** How often metrics sample every app (10 s in production; tests go faster). */
  metricsIntervalMs: number;
  /** The machine-wide stack cache, shared by every home on the machine. */
  stackCache: string;
}

/** What `slipway server` accepts as flags; each falls back to SLIPWAY_<NAME> in the environment. */
export interface ServerFlags {
  home?: string;
  apiListen?: string;
  routerListen?: string;
  routerTlsListen?: string;
  domain?: string;
  buildTimeout?: string;
  keepReleases?: string;
  cronTimeScale?: string;
  autoscaleTick?: string;
  runtimeCache?: string;
  metricsInterval?: string;
  stackCache?: string;
}

const DOMAIN_RULE = /^(?=.{1,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** "127.0.0.1:7070", "[::1]:7070", ":7070" (all interfaces), port 0 = pick a free one. */
export function parseListen(input: string, what: string): Listen {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\[\]]*)):(\d{1,5})$/.exec(input);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new SlipwayError('E_SETTINGS_INVALID', `${what}: "${input}" is not HOST:PORT`, { hint: 'for example 127.0.0.1:7070, [::1]:7070, or :0 for any free port' });
  }
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

const Schema = z.object({
  home: z.string().min(1),
  apiListen: z.string(),
  routerListen: z.string(),
  domain: z.string().regex(DOMAIN_RULE, 'must be a lowercase DNS name such as localhost or apps.example.com'),
  cronTimeScale: z.coerce.number().int().min(1).max(3600),
  autoscaleTick: z.coerce.number().int('must be whole milliseconds').min(100, 'must be at least 100 ms').max(60_000, 'must be at most 60 s'),
  metricsInterval: z.coerce.number().int('must be whole milliseconds').min(100, 'must be at least 100 ms').max(60_000, 'must be at most 60 s'),
  keepReleases: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(1000, 'must be at most 1000'),
  stackCache: z.string().min(1),
  runtimeCache: z.string().min(1).optional(),
  buildTimeout: z.coerce.number().int('must be whole seconds').min(1, 'must be at least 1 second').max(24 * 3600, 'must be at most 24 hours'),
});

export function parseSettings(flags: ServerFlags, env: NodeJS.ProcessEnv): Settings {
  const raw = {
    home: flags.home ?? env.SLIPWAY_HOME ?? path.join(os.homedir(), '.slipway'),
    apiListen: flags.apiListen ?? env.SLIPWAY_API_LISTEN ?? '127.0.0.1:7070',
    routerListen: flags.routerListen ?? env.SLIPWAY_ROUTER_LISTEN ?? '127.0.0.1:8080',
    domain: flags.domain ?? env.SLIPWAY_DOMAIN ?? 'localhost',
    buildTimeout: flags.buildTimeout ?? env.SLIPWAY_BUILD_TIMEOUT ?? '900',
    keepReleases: flags.keepReleases ?? env.SLIPWAY_KEEP_RELEASES ?? '3',
    cronTimeScale: flags.cronTimeScale ?? env.SLIPWAY_CRON_TIME_SCALE ?? '1',
    autoscaleTick: flags.autoscaleTick ?? env.SLIPWAY_AUTOSCALE_TICK ?? '1000',
    runtimeCache: flags.runtimeCache ?? env.SLIPWAY_RUNTIME_CACHE,
    metricsInterval: flags.metricsInterval ?? env.SLIPWAY_METRICS_INTERVAL ?? '10000',
    stackCache: flags.stackCache ?? env.SLIPWAY_STACK_CACHE ?? defaultStackCacheRoot(),
  };
  const routerTls = flags.routerTlsListen ?? env.SLIPWAY_ROUTER_TLS_LISTEN;
  const r = Schema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    const flag = String(i?.path[0] ?? 'setting').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    throw new SlipwayError('E_SETTINGS_INVALID', `--${flag}: ${i?.message ?? 'invalid'}`);
  }
  return {
    home: path.resolve(r.data.home),
    apiListen: parseListen(r.data.apiListen, '--api-listen'),
    routerListen: parseListen(r.data.routerListen, '--router-listen'),
    ...(routerTls ? { routerTlsListen: parseListen(routerTls, '--router-tls-listen') } : {}),
    domain: r.data.domain,
    buildTimeoutMs: r.data.buildTimeout * 1000,
    keepReleases: r.data.keepReleases,
    cronTimeScale: r.data.cronTimeScale,
    autoscaleTickMs: r.data.autoscaleTick,
    runtimeCache: path.resolve(r.data.runtimeCache ?? path.join(r.data.home, 'runtimes')),
    metricsIntervalMs: r.data.metricsInterval,
    stackCache: path.resolve(r.data.stackCache),
  };
}

/** The URL clients use for a bound address: a wildcard bind is reached on loopback. */
export function urlFor(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}
