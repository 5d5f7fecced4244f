/** What the build room needs from the rest of the platform; the daemon wires these in. */
export interface BuildApp {
  id: number;
  name: string;
  uid: number;
  /** Buildpacks set with buildpacks:set; empty = app.json's, else detection. */
  buildpacks: string[];
}

export interface BuildRecord {
  id: string;
  seq: number;
  status: 'pending' | 'running' | 'succeeded' | 'failed';
  source: 'git' | 'upload';
  commit_sha: string | null;
  release_version: number | null;
  buildpacks: string[];
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface BuildRecords {
  insert(appId: number, source: BuildRecord['source'], commit: string | null): BuildRecord;
  get(id: string): (BuildRecord & { app_id: number }) | undefined;
  list(appId: number, limit?: number): BuildRecord[];
  setRunning(id: string): void;
  setBuildpacks(id: string, buildpacks: string[]): void;
  finish(id: string, outcome: { status: 'succeeded'; release: number } | { status: 'failed'; error: string }): void;
}

export interface ReleaseSink {
  /** Current config vars, written to ENV_DIR for buildpacks (as Heroku does). */
  config(appId: number): Record<string, string>;
  /** Whether a build of the app was ever released and ran (app.json `env` applies only before that). */
  hasDeployed(appId: number): boolean;
  /** Appends the release for a finished build; returns its version. */
  create(appId: number, rel: { slug: string; processTypes: Record<string, string>; description: string; defaultConfig: Record<string, string>; appEnv: Record<string, string>; appJson: unknown }): number;
  /** Runs the new release (start, health, switch); throws E_DEPLOY_FAILED and leaves the old one serving. */
  deploy(app: string, version: number, log: (line: string) => void): Promise<void>;
  /** app.json's postdeploy scripts, once the new release serves; reports a failure, never throws for one. */
  postdeploy(app: string, version: number, log: (line: string) => void): Promise<void>;
}

export interface BuildSource {
  source: BuildRecord['source'];
  commit: string | null;
  /** An uncompressed tar of the app's tree, already on disk. */
  archive: string;
}

export interface BuildOutcome {
  build: BuildRecord;
  release: number;
  processTypes: Record<string, string>;
}
