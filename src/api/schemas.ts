import { z } from 'zod';
import { SlipwayError } from '../lib/index.js';

/** Request bodies. Unknown keys are rejected. */
export const CreateAppBody = z.strictObject({ name: z.string().optional() });

/** Turns untyped input into T or throws E_VALIDATION naming the path (never the value). */
export function parseBody<T>(schema: z.ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const msg = r.error.issues
    .map((i) => {
      const where = i.path.length ? i.path.join('.') : 'body';
      return i.code === 'unrecognized_keys' ? `${where}: unknown key(s) ${i.keys.join(', ')}` : `${where}: ${i.message}`;
    })
    .join('; ');
  throw new SlipwayError('E_VALIDATION', msg);
}

/** Response shapes, shared with the CLI as types. */

/** One stack in `GET /v1/stacks`. */
export interface StackJson {
  id: string;
  kind: 'run' | 'build';
  base: string;
  abi: string;
  created: string;
  packages: number;
  requested: string[];
  newer: string | null;
}
export interface AppJson {
  name: string;
  web_url: string;
  git_url: string;
  created_at: string;
  /** Current release, e.g. "v3". */
  release: string | null;
  config_vars: number;
  /** What of the app's stored state the server refused to run (e.g. cron jobs over the limit); empty when none. */
  problems: string[];
}

export interface ReleaseJson {
  version: number;
  name: string;
  description: string;
  status: string;
  slug: string | null;
  process_types: Record<string, string>;
  created_at: string;
}

export interface ConfigPatchJson {
  config: Record<string, string>;
  /** The release created by the change, or null when nothing changed. */
  release: string | null;
}

export interface ServerJson {
  version: string;
  api: string;
  router: string;
  /** The router's HTTPS address, when it has one. */
  router_tls?: string;
  domain: string;
}

export interface ErrorJson {
  error: { code: string; message: string; hint?: string };
}

export interface BuildJson {
  id: string;
  status: 'pending' | 'running' | 'succeeded' | 'failed';
  source: 'git' | 'upload';
  commit: string | null;
  release: string | null;
  buildpacks: string[];
  error: string | null;
  created_at: string;
  finished_at: string | null;
  duration_ms: number | null;
}

/** One line of a build stream (POST /v1/apps/NAME/builds). */
export interface BuildStreamLine {
  log?: string;
  result?: { status: 'succeeded' | 'failed'; build: string; release?: string; process_types?: Record<string, string> };
  error?: { code: string; message: string; hint?: string };
}

export interface InstanceJson {
  name: string;
  type: string;
  state: 'starting' | 'up' | 'draining' | 'crashed' | 'stopped';
  release: string;
  since: string;
  restarts: number;
  command: string;
  port: number | undefined;
}

export interface AutoscaleJson {
  type: string;
  min: number;
  max: number;
  /** Target requests in flight per instance. */
  concurrency: number;
  idle_seconds: number;
  window_seconds: number;
  /** idle: scaled to zero, wakes on the next request; waking: an instance is starting for held requests; up: serving. */
  status: 'idle' | 'waking' | 'up' | 'starting' | 'crashed';
}

export interface PsJson {
  instances: InstanceJson[];
  formation: { type: string; quantity: number; memory_mb: number | null }[];
  /** Autoscaled process types (empty: none). */
  autoscale: AutoscaleJson[];
}

export interface UserJson {
  name: string;
  admin: boolean;
  /** Apps the user was given access to (admins see every app). */
  apps: string[];
  created_at: string;
}

export interface TokenJson {
  id: number;
  name: string;
  user: string;
  scope: string;
  /** The one app this token is limited to, or null. */
  app: string | null;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  /** Only in the answer to its creation. */
  token?: string;
}

export interface AccessJson {
  user: string;
  app: string;
  role: string;
  created_at: string;
}

export interface AuditJson {
  at: string;
  user: string;
  token_id: number | null;
  method: string;
  path: string;
  app: string | null;
  status: number;
  remote: string;
}

export interface CertJson {
  id: string;
  hosts: string[];
  source: 'manual' | 'acme';
  issuer: string;
  not_before: string;
  not_after: string;
  status: 'issued' | 'pending' | 'failed';
  error?: string;
}
