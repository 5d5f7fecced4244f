// What the routes are given (built by daemon/wire.ts). In its own module so
// server.ts and the routes-*.ts files do not import each other.
import type { AppService } from '../apps/index.js';
import type { AuthService } from '../auth/index.js';
import type { CertManager } from '../router/index.js';
import type { BuildService } from '../builds/index.js';
import type { HookEnv } from '../git/index.js';
import type { DrainService, LogStore } from '../logs/index.js';
import type { Metrics } from '../metrics/index.js';
import type { Autoscaler, Operations } from '../supervisor/index.js';
import type { CronService, RunService } from '../scheduler/index.js';
import type { ConfigService } from '../config/index.js';
import type { ReleaseService } from '../releases/index.js';
import type { StackService } from '../stacks/index.js';
import type { ServerJson } from './schemas.js';
import type { Principal, Sessions } from './session.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the request acts as (set by the authentication hook; absent on public routes). */
    principal?: Principal;
  }
}

export interface ApiDeps {
  home: string;
  apps: AppService;
  builds: BuildService;
  ops: Operations;
  runs: RunService;
  cron: CronService;
  autoscaler: Autoscaler;
  logs: LogStore;
  metrics: Metrics;
  drains: DrainService;
  /** Dashboard sessions (and the one place that authenticates a request). */
  sessions: Sessions;
  /** How git's pre-receive hook reaches the build endpoint. */
  hook: HookEnv;
  config: ConfigService;
  releases: ReleaseService;
  stacks: StackService;
  /** Who a token is and what it may do; read on every request, so a new or revoked token counts at once. */
  auth: AuthService;
  /** Certificates apps serve over HTTPS. */
  certs: CertManager;
  server(): ServerJson;
  webUrl(app: string): string;
  /** Brings the router's entry for an app up to date (after create, domain changes); resolves when it routes. */
  route(app: string): Promise<void>;
  gitUrl(app: string): string;
}
