// The activator: HAProxy sends an app's requests here while the app is
// scaled to zero (it is the app's only target then). It holds them — a
// bounded queue per app, a bounded wait — asks for a wake once, and as soon
// as a ready target is known passes them on to it in the order they came.
// The decisions are hold-queue.ts's (pure state); this file is the HTTP and
// WebSocket shell that carries them out.
import http from 'node:http';
import net from 'node:net';
import { pipeline, type Duplex } from 'node:stream';
import { HoldQueue, type ActivatorTarget, type AppActivation, type Effects } from './hold-queue.js';

export type { ActivatorTarget, AppActivation } from './hold-queue.js';

export interface ActivatorOptions {
  /** Held requests per app; one more gets 503 at once. */
  maxQueue: number;
  /** How long a request may wait for the wake; then 503. */
  maxWaitMs: number;
  /** Which app a request is for, from its Host header (undefined: not ours). */
  appFor(host: string): string | undefined;
  /** Start the app: called once per wake, when the first request is held. */
  wake(app: string): void;
  /** Platform events for the app's log: wakes, their cold-start time, requests turned away and why. */
  event(app: string, line: string): void;
}

/** One held request: how to pass it on or turn it away, and its wait timer. */
interface Held {
  timer: NodeJS.Timeout | undefined;
  go(t: ActivatorTarget): void;
  refuse(why: string): void;
}

const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

export class Activator {
  private readonly queue: HoldQueue<Held>;
  private readonly server: http.Server;
  private readonly agent = new http.Agent({ keepAlive: true, maxFreeSockets: 16 });
  /** Requests and tunnels passed on and not finished, per target (a drain must wait for them too). */
  private readonly active = new Map<string, number>();

  constructor(private readonly opts: ActivatorOptions) {
    this.queue = new HoldQueue<Held>({ maxQueue: opts.maxQueue, maxWaitMs: opts.maxWaitMs });
    this.server = http.createServer((req, res) => this.onRequest(req, res));
    this.server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    this.server.keepAliveTimeout = 65_000;
  }

  /** Listens on 127.0.0.1; returns the port HAProxy should use. */
  start(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve((this.server.address() as net.AddressInfo).port));
    });
  }

  async stop(): Promise<void> {
    for (const [app, e] of this.queue.stopAll()) this.apply(app, e);
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
    this.agent.destroy();
  }

  /** Requests (and WebSockets) passed on to this target that are still open. */
  inflightTo(host: string, port: number): number {
    return this.active.get(`${host}:${port}`) ?? 0;
  }

  /** Requests held per app and whether a wake is in progress (for ps). */
  holding(app: string): { held: number; waking: boolean } {
    return this.queue.holding(app);
  }

  /** The router's latest view of the app (undefined: removed); see HoldQueue.update. */
  update(app: string, info: AppActivation | undefined): void {
    this.apply(app, this.queue.update(app, info, Date.now()));
  }

  /** The wake could not even begin (no release, a start error). */
  wakeFailed(app: string, reason: string): void {
    this.apply(app, this.queue.wakeFailed(app, reason));
  }

  /** Carries out what the hold-queue decided. */
  private apply(app: string, e: Effects<Held>): void {
    for (const line of e.events) this.opts.event(app, line);
    for (const { item, target } of e.go) {
      clearTimeout(item.timer);
      item.go(target);
    }
    for (const { item, shown } of e.refuse) {
      clearTimeout(item.timer);
      item.refuse(shown);
    }
    if (e.wake) this.opts.wake(app);
  }

  /** Counts one passed-on request until `done` is called (once). */
  private track(t: ActivatorTarget): () => void {
    const key = `${t.host}:${t.port}`;
    this.active.set(key, (this.active.get(key) ?? 0) + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const n = (this.active.get(key) ?? 1) - 1;
      if (n > 0) this.active.set(key, n);
      else this.active.delete(key);
    };
  }

  /** Holds one request (or passes it on at once when a target is ready). */
  private admit(req: http.IncomingMessage, go: Held['go'], refuse: Held['refuse'], gone: (cb: () => void) => void): void {
    const app = this.opts.appFor(req.headers.host ?? '');
    if (!app) return refuse('no app answers at this host');
    const h: Held = { timer: undefined, go, refuse };
    const e = this.queue.admit(app, h, Date.now());
    if (e.held) {
      h.timer = setTimeout(() => this.apply(app, this.queue.expire(app, h, Date.now())), this.opts.maxWaitMs);
      // a client that goes away no longer holds a place in the queue
      gone(() => {
        if (this.queue.leave(app, h)) clearTimeout(h.timer);
      });
    }
    this.apply(app, e);
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    req.pause();
    this.admit(req, (t) => this.forward(req, res, t), (why) => unavailable(res, why), (cb) => res.once('close', cb));
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse, t: ActivatorTarget): void {
    res.once('close', this.track(t));
    const up = http.request({ host: t.host, port: t.port, method: req.method, path: req.url, headers: endToEnd(req.headers), agent: this.agent }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.statusMessage, endToEnd(ur.headers));
      // an app that fails mid-body must end the client's response too, not leave it hanging
      pipeline(ur, res, (err) => {
        if (err) res.destroy();
      });
    });
    up.on('error', () => {
      if (!res.headersSent) unavailable(res, "the app's new instance did not take the request");
      else res.destroy();
    });
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    req.pipe(up);
    req.resume();
  }

  private onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    this.admit(
      req,
      (t) => {
        socket.once('close', this.track(t));
        const up = net.connect(t.port, t.host, () => {
          let raw = `${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1\r\n`;
          for (let i = 0; i < req.rawHeaders.length; i += 2) raw += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
          up.write(`${raw}\r\n`);
          if (head.length) up.write(head);
          up.pipe(socket).pipe(up);
        });
        up.on('error', () => socket.destroy());
        socket.on('close', () => up.destroy());
      },
      (why) => {
        socket.end(`HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(why) + 1}\r\n\r\n${why}\n`);
      },
      (cb) => socket.once('close', cb),
    );
  }
}

/** Headers minus hop-by-hop ones, including those the Connection header names. */
function endToEnd(h: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const named = new Set(String(h.connection ?? '').toLowerCase().split(',').map((x) => x.trim()).filter(Boolean));
  const out: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(h)) if (!HOP.has(k) && !named.has(k) && v !== undefined) out[k] = v;
  return out;
}

function unavailable(res: http.ServerResponse, why: string): void {
  if (res.headersSent) return void res.destroy();
  const body = `<!DOCTYPE html><html><head><title>Application unavailable</title></head><body><h1>Application unavailable</h1><p>${escapeHtml(why)}.</p></body></html>\n`;
  res.writeHead(503, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'retry-after': '5' });
  res.end(body);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
