// HAProxy's access log arrives as lines on a TCP stream from its log ring
// (see config.ts) and leaves as Heroku router lines.
import net from 'node:net';
import { LOG_FIELDS, LOG_SEP, type LogField } from './config.js';

export type LogRecord = Record<LogField, string>;

/**
 * Splits one line into its fields; undefined for anything else HAProxy logs
 * (server state changes, ...) and for lines without this router's secret tag.
 */
export function parseLogLine(line: string, tag: string): LogRecord | undefined {
  const parts = line.split(LOG_SEP);
  if (parts[0] !== tag || parts.length !== LOG_FIELDS.length + 1) return undefined;
  const rec = {} as LogRecord;
  for (let i = 0; i < LOG_FIELDS.length; i++) rec[(LOG_FIELDS[i] as (typeof LOG_FIELDS)[number])[0]] = parts[i + 1] as string;
  return rec;
}

interface RouterError {
  code: string;
  desc: string;
  /** Heroku logs a client that went away as info, everything else as error. */
  at: 'info' | 'error';
}

const err = (code: string, desc: string, at: RouterError['at'] = 'error'): RouterError => ({ code, desc, at });

/** Heroku's router error for a request, from our code var and HAProxy's termination state (%tsc). */
export function routerError(rec: LogRecord): RouterError | undefined {
  if (rec.code === 'H14') return err('H14', 'No web processes running');
  if (rec.code === 'H10') return err('H10', 'App crashed');
  if (rec.status === '101') return undefined; // a WebSocket: either side closing the tunnel is its normal end
  const [who, phase] = rec.term;
  switch (who) {
    case 'C':
    case 'c':
      return err('H27', 'Client Request Interrupted', 'info');
    case 's':
      if (phase === 'C') return err('H19', 'Backend connection timeout');
      if (phase === 'Q') return err('H11', 'Backlog too deep');
      if (phase === 'D') return err('H15', 'Idle connection');
      return err('H12', 'Request timeout');
    case 'S':
      // Connection refused by every target tried: the process is gone.
      if (phase === 'C') return err('H10', 'App crashed');
      if (phase === 'D') return err('H18', 'Server Request Interrupted');
      return err('H13', 'Connection closed without response');
    case 'P':
      return phase === 'H' ? err('H17', 'Poorly formatted HTTP response') : undefined;
    case 'R':
    case 'I':
    case 'D':
    case 'K':
      return err('H99', 'Platform error');
    default:
      return undefined;
  }
}

/** A value that cannot break the line: quoted, with backslash, quote and control bytes escaped. */
export function quote(v: string): string {
  if (!/[\\"\x00-\x1f\x7f]/.test(v)) return `"${v}"`;
  return `"${v.replace(/[\\"]/g, '\\$&').replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}"`;
}

/** Bare when it is one harmless token, else quoted. */
function bare(v: string): string {
  return /^[A-Za-z0-9._:/@+-]*$/.test(v) ? v : quote(v);
}

const num = (s: string): number => {
  const n = Number(s);
  return Number.isFinite(n) ? n : -1;
};

/** connect= and service= in ms; empty when no connection to a target was made. */
function timings(rec: LogRecord): { connect: string; service: string } {
  const tc = num(rec.Tc);
  if (tc < 0) return { connect: '', service: '' };
  // Ta runs from the first request byte to the last response byte; what the app spent is Ta less receiving the request, queueing and connecting.
  const before = Math.max(0, num(rec.TR)) + Math.max(0, num(rec.Tw)) + tc;
  return { connect: `${tc}ms`, service: `${Math.max(0, num(rec.Ta) - before)}ms` };
}

/** The Heroku router line for one request; `dyno` is the target id its slot carried. */
export function herokuLine(rec: LogRecord, dyno: string | undefined): string {
  const e = routerError(rec);
  const t = timings(rec);
  const status = rec.status === '-1' && e?.code === 'H27' ? '499' : rec.status;
  const head = e ? `at=${e.at} code=${e.code} desc=${quote(e.desc)}` : 'at=info';
  return (
    `${head} method=${bare(rec.method)} path=${quote(rec.path)} host=${bare(rec.host)} request_id=${bare(rec.rid === '-' ? '' : rec.rid)}` +
    ` fwd=${quote(rec.client)} dyno=${bare(dyno ?? '')} connect=${t.connect} service=${t.service} status=${bare(status)}` +
    ` bytes=${bare(rec.bytes)} protocol=${bare(rec.proto === '-' ? 'http' : rec.proto)}`
  );
}

export interface AccessLogOptions {
  /** Secret first field of every line, known only to haproxy.cfg (0600): another local process can connect but not forge lines. */
  tag: string;
  /** The app a backend serves now (backends are pooled, their names say nothing of the app). */
  appFor: (backend: string) => string | undefined;
  /** The target id behind a backend's server slot, if the app still has it. */
  dynoFor: (app: string, slot: string) => string | undefined;
  onRouterLog: (app: string, line: string) => void;
}

// A line longer than this is no log line of ours (HAProxy truncates at 16 KiB).
const MAX_LINE = 64 * 1024;

/**
 * Receives HAProxy's log lines: one TCP connection per worker, lines ended by
 * a newline (HAProxy escapes control bytes inside fields). Requests for
 * unknown hosts and bad requests belong to no app and are dropped.
 */
export class AccessLogListener {
  private server: net.Server | undefined;
  private readonly conns = new Set<net.Socket>();

  constructor(private readonly opts: AccessLogOptions) {}

  async start(): Promise<number> {
    const server = net.createServer((c) => this.onConnection(c));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return (server.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    for (const c of this.conns) c.destroy();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  private onConnection(c: net.Socket): void {
    this.conns.add(c);
    let rest = '';
    c.setEncoding('latin1'); // fields are ASCII: HAProxy refuses or escapes anything else
    c.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      if (rest.length > MAX_LINE) rest = '';
      for (const l of lines) this.onLine(l);
    });
    c.on('close', () => this.conns.delete(c));
    c.on('error', (err: NodeJS.ErrnoException) => {
      // A worker that exits (reload, restart) resets its connection; what it sent was read.
      if (err.code !== 'ECONNRESET') process.stderr.write(`router: access log connection: ${err.message}\n`);
    });
  }

  private onLine(line: string): void {
    const rec = parseLogLine(line, this.opts.tag);
    const app = rec && this.opts.appFor(rec.backend);
    if (!rec || !app) return;
    this.opts.onRouterLog(app, herokuLine(rec, rec.server.startsWith('<') ? undefined : this.opts.dynoFor(app, rec.server)));
  }
}
