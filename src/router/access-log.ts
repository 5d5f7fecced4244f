// HAProxy's access log arrives as one UDP datagram per request (syslog
// target on 127.0.0.1, raw format) and leaves as a Heroku router line.
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { appOfBackend, LOG_FIELDS, LOG_SEP, LOG_TAG, type LogField } from './config.js';

export type LogRecord = Record<LogField, string>;

/** Splits one datagram into its fields; undefined for anything else HAProxy logs (server state changes, ...). */
export function parseLogLine(line: string): LogRecord | undefined {
  const parts = line.replace(/\n$/, '').split(LOG_SEP);
  if (parts[0] !== LOG_TAG || parts.length !== LOG_FIELDS.length + 1) return undefined;
  const rec = {} as LogRecord;
  LOG_FIELDS.forEach(([name], i) => {
    rec[name] = parts[i + 1] ?? '';
  });
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
  const fields = [
    `at=${e?.at ?? 'info'}`,
    ...(e ? [`code=${e.code}`, `desc=${quote(e.desc)}`] : []),
    `method=${bare(rec.method)}`,
    `path=${quote(rec.path)}`,
    `host=${bare(rec.host)}`,
    `request_id=${bare(rec.rid === '-' ? '' : rec.rid)}`,
    `fwd=${quote(rec.client)}`,
    `dyno=${bare(dyno ?? '')}`,
    `connect=${t.connect}`,
    `service=${t.service}`,
    `status=${bare(status)}`,
    `bytes=${bare(rec.bytes)}`,
    `protocol=${bare(rec.proto === '-' ? 'http' : rec.proto)}`,
  ];
  return fields.join(' ');
}

export interface AccessLogOptions {
  /** The target id behind a backend's server slot, if the app still has it. */
  dynoFor: (app: string, slot: string) => string | undefined;
  onRouterLog: (app: string, line: string) => void;
}

/** Receives HAProxy's datagrams; requests for unknown hosts and bad requests belong to no app and are dropped. */
export class AccessLogListener {
  private sock: dgram.Socket | undefined;

  constructor(private readonly opts: AccessLogOptions) {}

  async start(): Promise<number> {
    // A burst of requests can outrun the default socket buffer; a lost datagram is a lost log line.
    const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
    this.sock = sock;
    sock.on('message', (msg) => this.onDatagram(msg.toString('utf8')));
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, '127.0.0.1', () => resolve());
    });
    return (sock.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const s = this.sock;
    this.sock = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  private onDatagram(line: string): void {
    const rec = parseLogLine(line);
    const app = rec && appOfBackend(rec.backend);
    if (!rec || !app) return;
    this.opts.onRouterLog(app, herokuLine(rec, rec.server.startsWith('<') ? undefined : this.opts.dynoFor(app, rec.server)));
  }
}
