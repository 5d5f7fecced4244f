import type { Db } from './db.js';

export interface RunRow {
  id: number;
  app_id: number;
  name: string;
  kind: 'run' | 'cron';
  job: string | null;
  command: string;
  release: number;
  detached: number;
  started_at: string;
  finished_at: string | null;
  exit_code: number | null;
  signal: string | null;
}

/** One-off and cron runs: started, finished, exit code. Their output is in the app's logs. */
export class RunStore {
  constructor(private readonly db: Db) {}

  /** Inserts a run named `${prefix}.${n}`, n counting that app's runs with the prefix. */
  start(appId: number, r: { prefix: string; kind: RunRow['kind']; job: string | null; command: string; release: number; detached: boolean }): RunRow {
    return this.db.transaction(() => {
      const n = (this.db.prepare('SELECT COUNT(*) c FROM runs WHERE app_id = ? AND kind = ? AND COALESCE(job, \'\') = ?').get(appId, r.kind, r.job ?? '') as { c: number }).c + 1;
      const res = this.db
        .prepare('INSERT INTO runs (app_id, name, kind, job, command, release, detached, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(appId, `${r.prefix}.${n}`, r.kind, r.job, r.command, r.release, r.detached ? 1 : 0, new Date().toISOString());
      return this.db.prepare('SELECT * FROM runs WHERE id = ?').get(res.lastInsertRowid) as RunRow;
    })();
  }

  finish(id: number, exit: { code: number | null; signal: string | null }): void {
    this.db.prepare('UPDATE runs SET finished_at = ?, exit_code = ?, signal = ? WHERE id = ?').run(new Date().toISOString(), exit.code, exit.signal, id);
  }

  list(appId: number, limit = 50): RunRow[] {
    return this.db.prepare('SELECT * FROM runs WHERE app_id = ? ORDER BY id DESC LIMIT ?').all(appId, limit) as RunRow[];
  }

  lastOfJob(appId: number, job: string): RunRow | undefined {
    return this.db.prepare("SELECT * FROM runs WHERE app_id = ? AND kind = 'cron' AND job = ? ORDER BY id DESC LIMIT 1").get(appId, job) as RunRow | undefined;
  }

  /** Runs the daemon did not see finish (it died): they are over, with no exit code. */
  closeUnfinished(): void {
    this.db.prepare("UPDATE runs SET finished_at = ?, signal = 'SIGKILL' WHERE finished_at IS NULL").run(new Date().toISOString());
  }

  cronLast(appId: number, job: string): string | undefined {
    return (this.db.prepare('SELECT last_run_at FROM cron_state WHERE app_id = ? AND job = ?').get(appId, job) as { last_run_at: string } | undefined)?.last_run_at;
  }

  setCronLast(appId: number, job: string, at: string): void {
    this.db.prepare('INSERT INTO cron_state (app_id, job, last_run_at) VALUES (?, ?, ?) ON CONFLICT (app_id, job) DO UPDATE SET last_run_at = excluded.last_run_at').run(appId, job, at);
  }
}
