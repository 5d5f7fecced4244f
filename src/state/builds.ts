import { randomBytes } from 'node:crypto';
import type { Db } from './db.js';

export type BuildStatus = 'pending' | 'running' | 'succeeded' | 'failed';

export interface BuildRow {
  id: string;
  app_id: number;
  seq: number;
  status: BuildStatus;
  source: 'git' | 'upload';
  commit_sha: string | null;
  release_version: number | null;
  buildpacks: string[];
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

type RawBuild = Omit<BuildRow, 'buildpacks'> & { buildpacks: string };
const toBuild = (r: RawBuild | undefined): BuildRow | undefined => r && { ...r, buildpacks: JSON.parse(r.buildpacks) as string[] };

/** Build records. A build's release, when it has one, is written with the release in one transaction. */
export class BuildStore {
  constructor(private readonly db: Db) {}

  insert(appId: number, source: BuildRow['source'], commit: string | null): BuildRow {
    return this.db.transaction(() => {
      const seq = ((this.db.prepare('SELECT MAX(seq) s FROM builds WHERE app_id = ?').get(appId) as { s: number | null }).s ?? 0) + 1;
      const id = randomBytes(6).toString('hex');
      this.db.prepare("INSERT INTO builds (id, app_id, seq, status, source, commit_sha, created_at) VALUES (?, ?, ?, 'pending', ?, ?, ?)").run(id, appId, seq, source, commit, new Date().toISOString());
      return this.get(id) as BuildRow;
    })();
  }

  get(id: string): BuildRow | undefined {
    return toBuild(this.db.prepare('SELECT * FROM builds WHERE id = ?').get(id) as RawBuild | undefined);
  }

  list(appId: number, limit = 50): BuildRow[] {
    return (this.db.prepare('SELECT * FROM builds WHERE app_id = ? ORDER BY seq DESC LIMIT ?').all(appId, limit) as RawBuild[]).map((r) => toBuild(r) as BuildRow);
  }

  setRunning(id: string): void {
    this.db.prepare("UPDATE builds SET status = 'running' WHERE id = ?").run(id);
  }

  setBuildpacks(id: string, buildpacks: string[]): void {
    this.db.prepare('UPDATE builds SET buildpacks = ? WHERE id = ?').run(JSON.stringify(buildpacks), id);
  }

  /** Builds waiting for their app's queue and building now (a Prometheus gauge). */
  active(): { running: number; pending: number } {
    const rows = this.db.prepare("SELECT status, COUNT(*) AS n FROM builds WHERE status IN ('pending', 'running') GROUP BY status").all() as { status: string; n: number }[];
    return { running: rows.find((r) => r.status === 'running')?.n ?? 0, pending: rows.find((r) => r.status === 'pending')?.n ?? 0 };
  }

  finish(id: string, outcome: { status: 'succeeded'; release: number } | { status: 'failed'; error: string }): void {
    this.db
      .prepare('UPDATE builds SET status = ?, release_version = ?, error = ?, finished_at = ? WHERE id = ?')
      .run(outcome.status, outcome.status === 'succeeded' ? outcome.release : null, outcome.status === 'failed' ? outcome.error : null, new Date().toISOString(), id);
  }

  /** At start-up: builds that were pending or running when the daemon died are failed, never resumed half-way. */
  failInterrupted(): BuildRow[] {
    const rows = (this.db.prepare("SELECT * FROM builds WHERE status IN ('pending', 'running')").all() as RawBuild[]).map((r) => toBuild(r) as BuildRow);
    this.db.prepare("UPDATE builds SET status = 'failed', error = 'interrupted: the server stopped during the build', finished_at = ? WHERE status IN ('pending', 'running')").run(new Date().toISOString());
    return rows;
  }
}
