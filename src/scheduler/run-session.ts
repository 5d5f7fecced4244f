import type { ExitInfo, Instance } from '../supervisor/index.js';
import type { RunRecord } from './types.js';

/** Signals an attached client may forward (Ctrl-C, Ctrl-\, a terminal resize…); others are ignored. */
const FORWARDED = new Set<string>(['SIGINT', 'SIGTERM', 'SIGQUIT', 'SIGHUP', 'SIGKILL', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH']);

/**
 * One started run as its caller sees it: its record, input, signals, the
 * terminal size, stop, and its end. The runtime instance behind it stays
 * here (the API never holds a process).
 */
export class RunSession {
  constructor(
    readonly record: RunRecord,
    private readonly instance: Instance,
    /** Settles after the record has its exit code. */
    readonly done: Promise<ExitInfo>,
  ) {}

  /** Input for the run (attached runs only; ignored otherwise). */
  write(chunk: Buffer): void {
    this.instance.stdin?.write(chunk);
  }

  /** The client's input ended (EOF). */
  endInput(): void {
    this.instance.stdin?.end();
  }

  /** Forwards a signal by name; returns false for one that is not forwarded. */
  signal(name: string): boolean {
    if (!FORWARDED.has(name)) return false;
    this.instance.signal(name as NodeJS.Signals);
    return true;
  }

  resize(cols: number, rows: number): void {
    this.instance.resize(Number(cols) || 80, Number(rows) || 24);
  }

  /** The client went away: SIGTERM, SIGKILL after graceMs. */
  stop(graceMs = 5000): Promise<ExitInfo> {
    return this.instance.stop(graceMs);
  }
}
