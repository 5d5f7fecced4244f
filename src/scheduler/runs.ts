import type { ExitInfo, Instance } from '../supervisor/index.js';
import { SlipwayError } from '../lib/index.js';
import type { Operations, Supervisor } from '../supervisor/index.js';
import { RunSession } from './run-session.js';
import type { RunRecord, RunRecords } from './types.js';

export interface RunRequest {
  argv: string[];
  detach: boolean;
  tty?: { cols: number; rows: number };
  timeoutMs: number;
  env?: Record<string, string>;
}

export const MAX_CONCURRENT_RUNS = 5;
export const DEFAULT_RUN_TIMEOUT_MS = 60 * 60_000;

/**
 * One-off runs (`slipway run`): a fresh instance of the current release —
 * never inside a running web instance — its argv run as given, recorded with
 * start, end and exit code; detached ones log as run.N and show in ps.
 */
export class RunService {
  private readonly running = new Map<string, number>();

  constructor(private readonly deps: { ops: Operations; supervisor: Supervisor; records: RunRecords; log(app: string, line: string): void }) {}

  async start(appName: string, req: RunRequest, io: { onData?(stream: 'stdout' | 'stderr', chunk: Buffer): void } = {}): Promise<RunSession> {
    if (req.argv.length === 0) throw new SlipwayError('E_VALIDATION', 'no command given', { hint: 'slipway run -a APP -- COMMAND [ARGS...]' });
    const cur = await this.deps.ops.current(appName);
    if (!cur) throw new SlipwayError('E_VALIDATION', `${appName} has no release to run yet`, { hint: 'deploy it first: git push slipway main' });
    const n = this.running.get(appName) ?? 0;
    if (n >= MAX_CONCURRENT_RUNS) throw new SlipwayError('E_VALIDATION', `${appName} already has ${n} one-off runs going; the limit is ${MAX_CONCURRENT_RUNS}`, { hint: 'wait for one to finish, or see `slipway ps`' });
    const record = this.deps.records.start(cur.app.id, { prefix: 'run', kind: 'run', job: null, command: JSON.stringify(req.argv), release: cur.row.version, detached: req.detach });
    this.running.set(appName, n + 1);
    this.deps.log(appName, `Starting ${record.name} of v${cur.row.version}${req.detach ? ' (detached)' : ''}: ${req.argv.join(' ')}`);
    let instance: Instance;
    try {
      instance = await this.deps.supervisor.startOneOff(cur.runtime, cur.release, {
        name: record.name,
        argv: req.argv,
        stdin: !req.detach,
        tty: req.tty,
        env: req.env,
        timeoutMs: req.timeoutMs,
        onData: io.onData,
      });
    } catch (err) {
      this.running.set(appName, (this.running.get(appName) ?? 1) - 1);
      this.deps.records.finish(record.id, { code: null, signal: null });
      throw err;
    }
    const done = instance.exited.then((exit) => {
      this.running.set(appName, (this.running.get(appName) ?? 1) - 1);
      this.deps.records.finish(record.id, exit);
      this.deps.log(appName, `${record.name} ${exit.signal ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`}`);
      return exit;
    });
    return new RunSession(record, instance, done);
  }

  list(appId: number): RunRecord[] {
    return this.deps.records.list(appId);
  }
}
