// The activator: HAProxy sends an app's requests here while the app is
// scaled to zero (it is the app's only target then). It holds them — a
// bounded queue per app, a bounded wait — asks for a wake once, and as soon
// as a ready target is known passes them on to it in the order they came.
import http from 'node:http';
import net from 'node:net';
import { pipeline, type Duplex } from 'node:stream';

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

export interface ActivatorTarget {
  host: string;
  port: number;
}

export interface AppActivation {
  /** The app may scale to zero: hold its requests and wake it. */
  enabled: boolean;
  ready: ActivatorTarget[];
  state: string;
  /** Why the app is down (its last exit), for the 503 and the log. */
  reason?: string;
}

interface Held {
  at: number;
  timer: NodeJS.Timeout;
  go(t: ActivatorTarget): void;
  refuse(why: string): void;
}

interface AppHold {
  queue: Held[];
  /** When the current wake began (first held request); 0 = no wake in progress. */
  wakeAt: number;
  info: AppActivation;
  next: number;
}

const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

export class Activator {
  private readonly apps = new Map<string, AppHold>();
  private readonly server: http.Server;
  private readonly agent = new http.Agent({ keepAlive: true, maxFreeSockets: 16 });
  /** Requests and tunnels passed on and not finished, per target (a drain must wait for them too). */
  private readonly active = new Map<string, number>();

  constructor(private readonly opts: ActivatorOptions) {
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
    for (const [app, a] of this.apps) this.refuseAll(app, a, 'the server is stopping', 'the server is restarting');
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
    this.agent.destroy();
  }

  /** Requests (and WebSockets) passed on to this target that are still open. */
  inflightTo(host: string, port: number): number {
    return this.active.get(`${host}:${port}`) ?? 0;
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

  /** Requests held per app and whether a wake is in progress (for ps). */
  holding(app: string): { held: number; waking: boolean } {
    const a = this.apps.get(app);
    return { held: a?.queue.length ?? 0, waking: (a?.wakeAt ?? 0) > 0 };
  }

  /**
   * The router's latest view of the app. Ready targets release the held
   * requests (in order); a crash, or the app leaving scale-to-zero, answers
   * them 503.
   */
  update(app: string, info: AppActivation | undefined): void {
    if (!info) {
      const a = this.apps.get(app);
      if (a) this.refuseAll(app, a, 'the app was removed', 'the app was removed');
      this.apps.delete(app);
      return;
    }
    const a = this.hold(app);
    a.info = info;
    if (info.ready.length > 0) {
      if (a.wakeAt > 0) this.opts.event(app, `Activator: woke from idle in ${Date.now() - a.wakeAt} ms (cold start); passing ${a.queue.length} held request(s) on`);
      a.wakeAt = 0;
      for (const h of a.queue.splice(0)) {
        clearTimeout(h.timer);
        h.go(this.pick(a));
      }
      return;
    }
    if (a.wakeAt > 0 && info.state === 'crashed') this.refuseAll(app, a, `the wake failed: ${info.reason ?? 'the process crashed on start'}`);
    else if (!info.enabled && a.queue.length > 0) this.refuseAll(app, a, 'autoscaling was turned off while it was idle', 'the app has no web process running');
  }

  /** The wake could not even begin (no release, a start error). */
  wakeFailed(app: string, reason: string): void {
    const a = this.apps.get(app);
    if (a && a.wakeAt > 0) this.refuseAll(app, a, `the wake failed: ${reason}`);
  }

  private hold(app: string): AppHold {
    let a = this.apps.get(app);
    if (!a) {
      a = { queue: [], wakeAt: 0, info: { enabled: false, ready: [], state: 'stopped' }, next: 0 };
      this.apps.set(app, a);
    }
    return a;
  }

  private pick(a: AppHold): ActivatorTarget {
    const t = a.info.ready[a.next % a.info.ready.length] as ActivatorTarget;
    a.next++;
    return t;
  }

  /** `why` goes to the app's log only; the client gets a page without the app's output. */
  private refuseAll(app: string, a: AppHold, why: string, shown = 'the app could not be started'): void {
    a.wakeAt = 0;
    const held = a.queue.splice(0);
    if (held.length) this.opts.event(app, `Activator: ${why}; answered ${held.length} held request(s) with 503`);
    for (const h of held) {
      clearTimeout(h.timer);
      h.refuse(shown);
    }
  }

  /** Holds one request (or passes it on at once when a target is ready). */
  private admit(req: http.IncomingMessage, go: Held['go'], refuse: Held['refuse'], gone: (cb: () => void) => void): void {
    const app = this.opts.appFor(req.headers.host ?? '');
    if (!app) return refuse('no app answers at this host');
    const a = this.hold(app);
    if (a.info.ready.length > 0) return go(this.pick(a));
    if (!a.info.enabled) return refuse('the app has no web process running');
    if (a.queue.length >= this.opts.maxQueue) {
      this.opts.event(app, `Activator: ${a.queue.length} request(s) already held while the app wakes (limit ${this.opts.maxQueue}); answered 503`);
      return refuse('too many requests are waiting for the app to wake');
    }
    const h: Held = {
      at: Date.now(),
      go,
      refuse,
      timer: setTimeout(() => {
        const i = a.queue.indexOf(h);
        if (i < 0) return;
        a.queue.splice(i, 1);
        this.opts.event(app, `Activator: a request waited ${Math.round((Date.now() - h.at) / 100) / 10} s for the app to wake (limit ${this.opts.maxWaitMs / 1000} s); answered 503`);
        // nothing left waiting on this wake: the next request asks for a new one
        if (a.queue.length === 0) a.wakeAt = 0;
        refuse('the app did not wake in time');
      }, this.opts.maxWaitMs),
    };
    a.queue.push(h);
    // a client that goes away no longer holds a place in the queue
    gone(() => {
      const i = a.queue.indexOf(h);
      if (i >= 0) {
        a.queue.splice(i, 1);
        clearTimeout(h.timer);
      }
    });
    if (a.wakeAt === 0 || Date.now() - a.wakeAt > this.opts.maxWaitMs) {
      a.wakeAt = Date.now();
      this.opts.event(app, 'Activator: a request arrived while the app is scaled to zero; waking it');
      this.opts.wake(app);
    }
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
