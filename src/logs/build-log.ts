import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';

export type LogListener = (line: string) => void;

/**
 * One build's log: every line goes to its file (so `builds:output` can show
 * it later) and to whoever is streaming it live (the pushing git client, the
 * `deploy` command).
 */
export class BuildLog {
  private readonly fd: number;
  private readonly listeners = new Set<LogListener>();
  private closed = false;

  constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.fd = openSync(file, 'a', 0o640);
  }

  line(text: string): void {
    for (const l of text.replace(/\r\n?/g, '\n').split('\n')) {
      if (!this.closed) writeSync(this.fd, `${l}\n`);
      for (const fn of this.listeners) fn(l);
    }
  }

  subscribe(fn: LogListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

export function buildLogFile(logsRoot: string, app: string, buildId: string): string {
  return path.join(logsRoot, app, 'builds', `${buildId}.log`);
}

export function readBuildLog(logsRoot: string, app: string, buildId: string): string | undefined {
  try {
    return readFileSync(buildLogFile(logsRoot, app, buildId), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
