import type { Check } from './health.js';

export type InstanceState = 'starting' | 'up' | 'draining' | 'crashed' | 'stopped';

/** What the supervisor runs: one release of one app, already unpacked. */
export interface RunnableRelease {
  version: number;
  /** The unpacked slug on the host. */
  dir: string;
  processTypes: Record<string, string>;
  config: Record<string, string>;
  /** app.json `healthchecks` by process type. */
  healthchecks?: Record<string, Check[]>;
}

export interface AppRuntime {
  name: string;
  uid: number;
  /** type → how many, and the memory limit per instance. */
  formation: Record<string, { quantity: number; memoryMb?: number }>;
  /** SIGTERM → SIGKILL grace period. */
  graceMs: number;
  /** How long a retiring web instance may keep finishing in-flight requests (and WebSockets) before SIGTERM. */
  drainMs?: number;
  /** How long new web instances have to pass their checks. */
  readyTimeoutMs?: number;
  /** New instances start this many at a time, each batch ready before the next (0/undefined: all at once). */
  batchSize?: number;
  /** Stop the old non-web instances before starting their successors (no overlap). */
  stopFirst?: boolean;
  /** Scales to zero: while web is at zero, keep one sandbox parked (no app code running) so a wake only pays for the app's start. */
  parkWhenIdle?: boolean;
}

export interface InstanceView {
  name: string;
  type: string;
  state: InstanceState;
  release: string;
  since: string;
  restarts: number;
  command: string;
  port: number | undefined;
}

export interface WebTarget {
  id: string;
  host: string;
  port: number;
  state: 'ready' | 'draining';
}

export type WebState = 'running' | 'starting' | 'idle' | 'crashed' | 'stopped';

export interface SupervisorEvents {
  /** Lines for the app's log stream: its own output (`app`) and what the platform did (`platform`). */
  log(app: string, entry: { source: 'app' | 'platform'; ps?: string; release?: string; line: string }): void;
  /** The router must now send this app's traffic to these targets. */
  publish(app: string, web: { targets: WebTarget[]; state: WebState; reason?: string }): Promise<void>;
  /**
   * The router's drain: resolves when its requests (and tunnels) in flight to
   * these draining targets reach zero, or at the deadline with how many are
   * left. Absent: nothing to wait for.
   */
  drain?(app: string, targetIds: string[], deadlineMs: number): Promise<number>;
}
