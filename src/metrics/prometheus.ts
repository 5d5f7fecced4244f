import { LATENCY_BUCKETS_MS } from './point.js';

/** What Prometheus is told about one app: counters since the daemon started, gauges from the last sample. */
export interface PromApp {
  requests: number[];
  latency: number[];
  latencySumMs: number;
  /** type → state → instances. */
  states: Record<string, Record<string, number>>;
  /** type → resident bytes. */
  memory: Record<string, number>;
  /** type → CPU ms used. */
  cpuMs: Record<string, number>;
  restarts: number;
  deploys: number;
}

/** A label value as the exposition format wants it: backslash, quote and newline escaped. */
export function labelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Text exposition format 0.0.4: HELP and TYPE once per family, then its samples. */
export function renderPrometheus(apps: { name: string; totals: PromApp }[], daemon: { buildsRunning: number; buildsPending: number; routerReloads: number }): string {
  const out: string[] = [];
  const family = (name: string, type: string, help: string, lines: string[]): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
  };
  const L = (app: string, extra = ''): string => `app="${labelValue(app)}"${extra}`;
  family('slipway_http_requests_total', 'counter', 'Requests through the router by status class.', apps.flatMap(({ name, totals }) => totals.requests.map((n, i) => `slipway_http_requests_total{${L(name)},code="${i + 1}xx"} ${n}`)));
  family(
    'slipway_http_request_duration_seconds',
    'histogram',
    'Time the app spent on a request (router service time).',
    apps.flatMap(({ name, totals }) => {
      let cum = 0;
      const lines = LATENCY_BUCKETS_MS.map((b, i) => {
        cum += totals.latency[i] ?? 0;
        return `slipway_http_request_duration_seconds_bucket{${L(name)},le="${b / 1000}"} ${cum}`;
      });
      const count = totals.latency.reduce((s, v) => s + v, 0);
      lines.push(`slipway_http_request_duration_seconds_bucket{${L(name)},le="+Inf"} ${count}`);
      lines.push(`slipway_http_request_duration_seconds_sum{${L(name)}} ${totals.latencySumMs / 1000}`);
      lines.push(`slipway_http_request_duration_seconds_count{${L(name)}} ${count}`);
      return lines;
    }),
  );
  family('slipway_instances', 'gauge', 'Instances by process type and state at the last sample.', apps.flatMap(({ name, totals }) => Object.entries(totals.states).flatMap(([type, s]) => Object.entries(s).map(([state, n]) => `slipway_instances{${L(name, `,type="${labelValue(type)}",state="${state}"`)}} ${n}`))));
  family('slipway_memory_bytes', 'gauge', 'Resident memory of all instances of a process type at the last sample.', apps.flatMap(({ name, totals }) => Object.entries(totals.memory).map(([type, b]) => `slipway_memory_bytes{${L(name, `,type="${labelValue(type)}"`)}} ${b}`)));
  family('slipway_cpu_seconds_total', 'counter', 'CPU time used by the instances of a process type.', apps.flatMap(({ name, totals }) => Object.entries(totals.cpuMs).map(([type, ms]) => `slipway_cpu_seconds_total{${L(name, `,type="${labelValue(type)}"`)}} ${ms / 1000}`)));
  family('slipway_restarts_total', 'counter', 'Instance restarts after crashes.', apps.map(({ name, totals }) => `slipway_restarts_total{${L(name)}} ${totals.restarts}`));
  family('slipway_deploys_total', 'counter', 'Releases that started running.', apps.map(({ name, totals }) => `slipway_deploys_total{${L(name)}} ${totals.deploys}`));
  family('slipway_builds', 'gauge', 'Builds by state.', [`slipway_builds{state="running"} ${daemon.buildsRunning}`, `slipway_builds{state="pending"} ${daemon.buildsPending}`]);
  family('slipway_router_reloads_total', 'counter', 'HAProxy reloads since the daemon started.', [`slipway_router_reloads_total ${daemon.routerReloads}`]);
  return `${out.join('\n')}\n`;
}
