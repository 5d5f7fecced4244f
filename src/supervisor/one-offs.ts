import type { Driver, ExitInfo, Instance } from '../runtime/driver.js';
import { processSpec } from './process-spec.js';
import type { AppRuntime, InstanceView, RunnableRelease, SupervisorEvents } from './types.js';

export interface OneOffOptions {
  /** run.3, release.1, cron.ID… */
  name: string;
  /** Logged under this process name (default: name). */
  logAs?: string;
  command?: string;
  argv?: string[];
  stdin?: boolean;
  tty?: { cols: number; rows: number };
  env?: Record<string, string>;
  timeoutMs: number;
  onLine?(stream: 'stdout' | 'stderr', line: string): void;
  onData?(stream: 'stdout' | 'stderr', chunk: Buffer): void;
}

/**
 * One-off instances of a release (same slug, config, sandbox and user): the
 * release phase, `run`, cron. They show in ps while they run and are never
 * touched by deploys: each finishes on its own release. Killed (SIGTERM,
 * then SIGKILL) past their time limit.
 */
export class OneOffs {
  /** Running one-offs per app, by name (run.3, release.1, cron.backup.7). */
  private readonly views = new Map<string, Map<string, InstanceView>>();
  private readonly handles = new Set<Instance>();

  constructor(private readonly driver: Driver, private readonly events: SupervisorEvents) {}

  async start(app: AppRuntime, rel: RunnableRelease, o: OneOffOptions): Promise<Instance> {
    const name = o.name;
    const type = name.split('.')[0] ?? 'run';
    // one-offs, cron and the release phase get the web size unless their own type has one
    const limitsOf = app.formation[type]?.memoryMb !== undefined ? type : 'web';
    const spec = processSpec({ app, rel, name, limitsOf, id: `${name}-${Date.now().toString(36)}`, command: o.command, argv: o.argv, stdin: o.stdin, tty: o.tty, env: o.env });
    const handle = await this.driver.start(spec, {
      onData: o.onData,
      onLine: (stream, line) => {
        o.onLine?.(stream, line);
        this.events.log(app.name, { source: 'app', ps: o.logAs ?? name, release: `v${rel.version}`, line });
      },
    });
    const view: InstanceView = { name, type, state: 'up', release: `v${rel.version}`, since: new Date().toISOString(), restarts: 0, command: o.argv ? o.argv.join(' ') : (o.command ?? ''), port: undefined };
    const running = this.views.get(app.name) ?? new Map<string, InstanceView>();
    this.views.set(app.name, running.set(name, view));
    const timer = setTimeout(() => {
      this.events.log(app.name, { source: 'platform', line: `${name} passed its time limit (${Math.round(o.timeoutMs / 1000)} s); stopping it` });
      void handle.stop(5000);
    }, o.timeoutMs);
    this.handles.add(handle);
    void handle.exited.then(() => {
      clearTimeout(timer);
      running.delete(name);
      this.handles.delete(handle);
    });
    return handle;
  }

  /** A one-off that the caller just waits for (the release phase). */
  async run(app: AppRuntime, rel: RunnableRelease, o: OneOffOptions): Promise<ExitInfo> {
    return (await this.start(app, rel, o)).exited;
  }

  list(app: string): InstanceView[] {
    return [...(this.views.get(app)?.values() ?? [])];
  }

  /** SIGTERM to every one-off, SIGKILL after graceMs. */
  async shutdown(graceMs: number): Promise<void> {
    await Promise.all([...this.handles].map((h) => h.stop(graceMs)));
  }
}
