import type { ProcessSpec } from '../runtime/driver.js';
import type { AppRuntime, RunnableRelease } from './types.js';

/** What differs between one instance of a release and another. */
export interface SpecOptions {
  app: AppRuntime;
  rel: RunnableRelease;
  /** `web.1`, `run.3`, `release.1`… */
  name: string;
  /** Unique per instance (the driver names cgroups and logs after it). */
  id: string;
  /** A Procfile line (run by a shell), or an argv run as it is. */
  command?: string;
  argv?: string[];
  port?: number;
  gated?: boolean;
  stdin?: boolean;
  tty?: { cols: number; rows: number };
  /** The process type whose memory limit applies (default: the type of `name`). */
  limitsOf?: string;
  /** Added over the instance's environment (one-offs: `-e K=V`). */
  env?: Record<string, string>;
}

/**
 * The one builder of a ProcessSpec from a release: every instance and every
 * one-off is the same slug, config, user, sandbox and memory limit of its
 * type, so a parked sandbox, a restart and a `run` never disagree.
 */
export function processSpec(o: SpecOptions): ProcessSpec {
  const { app, rel, name } = o;
  const type = o.limitsOf ?? typeOf(name);
  return {
    id: `${app.name}-${o.id}`.replace(/[^A-Za-z0-9_-]/g, '-'),
    command: o.command,
    argv: o.argv,
    stdin: o.stdin,
    tty: o.tty,
    env: { ...instanceEnv(rel.config, app.name, name, rel.version, o.port), ...(o.env ?? {}) },
    cwd: '/app',
    root: rel.dir,
    user: { uid: app.uid, gid: app.uid, name: `app-${app.name}`.slice(0, 32) },
    hostname: app.name,
    port: o.port,
    limits: { memoryMb: app.formation[type]?.memoryMb },
    gated: o.gated,
  };
}

/** `web` of `web.1`, `cron.backup` of `cron.backup.7`. */
export function typeOf(name: string): string {
  const i = name.lastIndexOf('.');
  return i < 0 ? name : name.slice(0, i);
}

/**
 * A clean environment: defaults the app's config may override (PATH, LANG),
 * its config vars, then what identifies the instance (Heroku's PORT and DYNO,
 * and ours), which nothing overrides. Nothing of the daemon's own
 * environment leaks in (NODE_EXTRA_CA_CERTS alone adds ~80 ms to a Node start).
 */
export function instanceEnv(config: Record<string, string>, app: string, name: string, version: number, port: number | undefined): Record<string, string> {
  const env: Record<string, string> = {
    PATH: '/app/node_modules/.bin:/usr/local/bin:/usr/bin:/bin',
    LANG: 'C.UTF-8',
    ...config,
    DYNO: name,
    SLIPWAY_APP: app,
    SLIPWAY_PROCESS: name,
    SLIPWAY_RELEASE: `v${version}`,
  };
  if (port !== undefined) env.PORT = String(port);
  return env;
}

/** What a sandbox of this type is set up with: a parked one whose key differs is replaced. */
export function setupKey(app: AppRuntime, rel: RunnableRelease, type: string): string {
  return JSON.stringify([rel.version, app.formation[type]?.memoryMb ?? null, app.graceMs, app.readyTimeoutMs ?? null, app.uid]);
}
