/**
 * What a runtime driver runs: a process spec, nothing of apps, releases or
 * HTTP. The `process` driver runs it as a host process in bubblewrap; a
 * Docker/Swarm driver will implement the same interface.
 */
export interface ProcessSpec {
  /** Unique per instance; names cgroups and log lines. */
  id: string;
  /** The command, as the app wrote it (a Procfile line): run by a shell, as on Heroku. */
  command?: string;
  /** Or an argument vector run as it is, with no shell in between (one-off runs). */
  argv?: string[];
  /** Keep stdin open for the caller to write to (attached runs); otherwise it is /dev/null. */
  stdin?: boolean;
  /** Run under a pseudo-terminal of this size (interactive runs). */
  tty?: { cols: number; rows: number };
  env: Record<string, string>;
  /** Working directory inside the instance (the app root, /app). */
  cwd: string;
  /** The unpacked slug on the host, shown read-only at /app. */
  root: string;
  /** The app's own user. */
  user: { uid: number; gid: number; name: string };
  hostname: string;
  port?: number;
  limits: Limits;
  /**
   * Set up everything up to the command (sandbox, user, mounts), then wait
   * for `Instance.open()`: nothing of the app runs until then. A wake from
   * zero then only pays for the app's own start-up.
   */
  gated?: boolean;
}

/** What an instance may use; anything not given takes DEFAULT_LIMITS. */
export interface Limits {
  memoryMb?: number;
  /** Processes and threads at once (a fork bomb stops here). */
  pids?: number;
  /** Size of each private tmpfs (/tmp, $HOME, /var, /run); its pages also count in memoryMb. */
  tmpMb?: number;
  /** Relative CPU weight (1024 = one instance's fair share when the CPU is busy). */
  cpuShares?: number;
}

/** Heroku's standard dyno size for memory; the README's limits table quotes these. */
export const DEFAULT_LIMITS: Required<Limits> = { memoryMb: 512, pids: 512, tmpMb: 256, cpuShares: 1024 };

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Instance {
  readonly id: string;
  /** The host pid whose process tree is the whole instance (for memory/CPU figures); absent where the driver has none on this host. */
  readonly pid?: number;
  /** Settles when the instance's process has exited, for whatever reason. */
  readonly exited: Promise<ExitInfo>;
  /** SIGTERM, then SIGKILL after graceMs; resolves when it has exited. */
  stop(graceMs: number): Promise<ExitInfo>;
  /** Sends a signal to the instance's main process (e.g. a forwarded Ctrl-C). */
  signal(sig: NodeJS.Signals): void;
  /** The instance's stdin when the spec asked for it. */
  readonly stdin: NodeJS.WritableStream | undefined;
  /** With a tty: tells the terminal its new size. */
  resize(cols: number, rows: number): void;
  /** A gated instance runs its command now, with PORT set to `port` when given (no-op otherwise). */
  open(port?: number): void;
}

export interface InstanceIo {
  onLine(stream: 'stdout' | 'stderr', line: string): void;
  /** Raw output as it comes (prompts without a newline, terminal escapes); lines are still reported too. */
  onData?(stream: 'stdout' | 'stderr', chunk: Buffer): void;
}

export interface Driver {
  readonly name: string;
  /** Starts the instance; rejects if it cannot even be started (missing root, no sandbox). */
  start(spec: ProcessSpec, io: InstanceIo): Promise<Instance>;
  /** What this driver can and cannot do here, said once at start-up. */
  describe(): string;
}
