/** What the scheduler needs from the platform (wired by the daemon). */
export interface RunRecord {
  id: number;
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

export interface RunRecords {
  start(appId: number, r: { prefix: string; kind: 'run' | 'cron'; job: string | null; command: string; release: number; detached: boolean }): RunRecord;
  finish(id: number, exit: { code: number | null; signal: string | null }): void;
  list(appId: number, limit?: number): RunRecord[];
  lastOfJob(appId: number, job: string): RunRecord | undefined;
  cronLast(appId: number, job: string): string | undefined;
  setCronLast(appId: number, job: string, at: string): void;
}
