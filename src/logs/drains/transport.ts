import { randomUUID } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { SlipwayError } from '../../lib/index.js';
import { octetFrame } from './format.js';

/** Delivers a batch of syslog messages; rejects when it could not (the batch is retried). */
export interface Transport {
  send(messages: string[]): Promise<void>;
  close(): void;
  /** A kept connection is open (syslog); HTTPS has none between batches and says true. */
  readonly connected: boolean;
}

export interface DrainTarget {
  kind: 'syslog+tls' | 'syslog' | 'https';
  url: URL;
  /** PEM of the CA(s) to trust instead of the system's (self-signed receivers). */
  ca?: string;
  token: string;
}

const SEND_TIMEOUT_MS = 10_000;

/** Checks a drain URL: syslog+tls://HOST:PORT, syslog://HOST:PORT (plain TCP), https://...; messages never echo credentials. */
export function parseDrainUrl(input: string): { kind: DrainTarget['kind']; url: URL } {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new SlipwayError('E_VALIDATION', 'the drain URL is not a URL', { hint: 'for example syslog+tls://logs.example.com:6514 or https://user:pass@logs.example.com/ingest' });
  }
  const kind = url.protocol.slice(0, -1);
  if (kind !== 'syslog+tls' && kind !== 'syslog' && kind !== 'https') {
    throw new SlipwayError('E_VALIDATION', `drain URLs must be syslog+tls://, syslog:// or https://, not ${kind}://`, { hint: 'for example syslog+tls://logs.example.com:6514' });
  }
  if (!url.hostname) throw new SlipwayError('E_VALIDATION', 'the drain URL has no host', { hint: 'for example syslog+tls://logs.example.com:6514' });
  if (kind !== 'https' && !url.port) throw new SlipwayError('E_VALIDATION', 'a syslog drain URL needs a port', { hint: 'syslog over TLS usually listens on 6514: syslog+tls://HOST:6514' });
  return { kind, url };
}

/** A URL for listings and logs: the password is never shown. */
export function redactUrl(url: URL): string {
  const u = new URL(url.href);
  if (u.password) u.password = '***';
  return u.href;
}

/** Syslog over one kept TCP (or TLS) connection, octet-counted frames; reconnects on the next send after any error. */
export class SyslogTransport implements Transport {
  private socket: net.Socket | undefined;

  constructor(private readonly t: DrainTarget) {}

  get connected(): boolean {
    return this.socket !== undefined && !this.socket.destroyed;
  }

  async send(messages: string[]): Promise<void> {
    const s = await this.connect();
    const data = messages.map(octetFrame).join('');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('write timed out')), SEND_TIMEOUT_MS);
      s.write(data, (err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      });
    }).catch((err: unknown) => {
      this.close();
      throw err;
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private connect(): Promise<net.Socket> {
    if (this.socket && !this.socket.destroyed && this.socket.writable) return Promise.resolve(this.socket);
    this.close();
    const host = this.t.url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(this.t.url.port);
    return new Promise((resolve, reject) => {
      const s =
        this.t.kind === 'syslog+tls'
          ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ca: this.t.ca }, () => resolve(s))
          : net.connect({ host, port }, () => resolve(s));
      s.setTimeout(SEND_TIMEOUT_MS, () => s.destroy(new Error('connect timed out')));
      s.once('error', (err) => {
        if (this.socket === s) this.socket = undefined;
        reject(err);
      });
      s.on('close', () => {
        if (this.socket === s) this.socket = undefined;
      });
      s.on('data', () => undefined); // receivers may talk back; nothing to read
      s.on('end', () => s.destroy()); // the receiver closed: the next batch reconnects instead of writing into a dead socket
      s.once(this.t.kind === 'syslog+tls' ? 'secureConnect' : 'connect', () => s.setTimeout(0));
      this.socket = s;
    });
  }
}

/**
 * Heroku's HTTPS drain: POSTs of `application/logplex-1` bodies (octet-counted
 * syslog frames) with Logplex-Msg-Count, Logplex-Frame-Id and
 * Logplex-Drain-Token headers; user:pass in the URL becomes Basic auth.
 * Any answer other than 2xx is a failure (the batch is sent again).
 */
export class HttpsTransport implements Transport {
  readonly connected = true;

  constructor(private readonly t: DrainTarget) {}

  async send(messages: string[]): Promise<void> {
    const body = messages.map(octetFrame).join('');
    const u = new URL(this.t.url.href);
    const auth = u.username || u.password ? `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}` : undefined;
    u.username = '';
    u.password = '';
    const https = await import('node:https');
    await new Promise<void>((resolve, reject) => {
      const req = https.request(
        u,
        {
          method: 'POST',
          ca: this.t.ca,
          headers: {
            'content-type': 'application/logplex-1',
            'content-length': Buffer.byteLength(body),
            'logplex-msg-count': String(messages.length),
            'logplex-frame-id': randomUUID(),
            'logplex-drain-token': this.t.token,
            'user-agent': 'Slipway-Logplex/1',
            ...(auth ? { authorization: auth } : {}),
          },
          timeout: SEND_TIMEOUT_MS,
        },
        (res) => {
          res.resume();
          res.on('end', () => ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300 ? resolve() : reject(new Error(`the receiver answered ${res.statusCode}`))));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {}
}

export function transportFor(t: DrainTarget): Transport {
  return t.kind === 'https' ? new HttpsTransport(t) : new SyslogTransport(t);
}
