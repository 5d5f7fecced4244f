// Log drain receivers for tests: a syslog server over TLS and an HTTPS logplex
// endpoint, both with a self-signed certificate made by openssl on the spot.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { run } from '../lib/index.js';
import { tempDir, type After } from './temp.js';

export interface Cert {
  key: string;
  cert: string;
  certFile: string;
}

/** A throwaway certificate for 127.0.0.1 and localhost. */
export async function selfSignedCert(t: After): Promise<Cert> {
  const dir = tempDir(t, 'slipway-cert-');
  const key = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  await run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', certFile, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], {});
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}

/** Splits RFC 6587 octet-counted frames; returns the messages and what is left over. */
export function splitFrames(buf: string): { messages: string[]; rest: string } {
  const messages: string[] = [];
  let b = Buffer.from(buf, 'utf8');
  for (;;) {
    const sp = b.indexOf(0x20);
    if (sp < 0) break;
    const len = Number(b.subarray(0, sp).toString('latin1'));
    if (!Number.isSafeInteger(len) || b.length < sp + 1 + len) break;
    messages.push(b.subarray(sp + 1, sp + 1 + len).toString('utf8'));
    b = b.subarray(sp + 1 + len);
  }
  return { messages, rest: b.toString('utf8') };
}

export interface Receiver {
  port: number;
  messages: string[];
  /** HTTPS: the request headers of each POST. */
  requests: Record<string, string | string[] | undefined>[];
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

async function listen(server: net.Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

function receiver(t: After, make: (r: Receiver, conns: Set<net.Socket>) => net.Server): Promise<Receiver> {
  const conns = new Set<net.Socket>();
  let server: net.Server | undefined;
  const r: Receiver = {
    port: 0,
    messages: [],
    requests: [],
    async stop() {
      const s = server;
      server = undefined;
      for (const c of conns) c.destroy();
      if (s) await new Promise<void>((res) => s.close(() => res()));
    },
    async start() {
      server = make(r, conns);
      server.on('connection', (c: net.Socket) => {
        conns.add(c);
        c.on('close', () => conns.delete(c));
      });
      r.port = await listen(server, r.port);
    },
  };
  t.after(() => r.stop());
  return r.start().then(() => r);
}

export function syslogTlsReceiver(t: After, cert: Cert): Promise<Receiver> {
  return receiver(t, (r) =>
    tls.createServer({ key: cert.key, cert: cert.cert }, (s) => {
      let buf = '';
      s.setEncoding('utf8');
      s.on('data', (d: string) => {
        const { messages, rest } = splitFrames(buf + d);
        buf = rest;
        r.messages.push(...messages);
      });
      s.on('error', () => undefined);
    }),
  );
}

export function httpsReceiver(t: After, cert: Cert): Promise<Receiver> {
  return receiver(t, (r) =>
    https.createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => (body += d));
      req.on('end', () => {
        r.requests.push(req.headers);
        r.messages.push(...splitFrames(body).messages);
        res.writeHead(200).end();
      });
    }),
  );
}
