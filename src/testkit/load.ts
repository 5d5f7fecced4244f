import http from 'node:http';

export interface PhaseResult {
  phase: string;
  sent: number;
  failed: number;
  /** e.g. {"503": 2, "ECONNRESET": 1} */
  failures: Record<string, number>;
}

/**
 * A bounded load on one app through the router: `rps` requests a second, half
 * over kept-alive connections and half on new ones, counted per phase. Any
 * non-2xx answer or socket error is a failure. Stops by itself after maxMs.
 */
export class Load {
  private readonly keep = new http.Agent({ keepAlive: true, maxSockets: 16 });
  private timer: NodeJS.Timeout | undefined;
  private current: PhaseResult = { phase: 'start', sent: 0, failed: 0, failures: {} };
  private readonly done: PhaseResult[] = [];
  private inflight = 0;
  private readonly stopAt: number;

  constructor(private readonly o: { url: string; host: string; rps: number; maxMs?: number }) {
    this.stopAt = Date.now() + (o.maxMs ?? 600_000);
  }

  start(phase: string): void {
    this.current.phase = phase;
    const every = 1000 / this.o.rps;
    let n = 0;
    const t0 = Date.now();
    const tick = (): void => {
      if (Date.now() > this.stopAt) return;
      const due = Math.floor((Date.now() - t0) / every);
      while (n < due) this.fire(n++ % 2 === 0);
      this.timer = setTimeout(tick, 5);
    };
    tick();
  }

  /** Closes the current phase and opens the next one; in-flight requests count where they were sent. */
  phase(next: string): PhaseResult {
    const closed = this.current;
    this.done.push(closed);
    this.current = { phase: next, sent: 0, failed: 0, failures: {} };
    return closed;
  }

  async stop(): Promise<PhaseResult[]> {
    clearTimeout(this.timer);
    const deadline = Date.now() + 30_000;
    while (this.inflight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.done.push(this.current);
    this.keep.destroy();
    return this.done.filter((p) => p.sent > 0);
  }

  private fire(keepAlive: boolean): void {
    const p = this.current;
    p.sent++;
    this.inflight++;
    const fail = (why: string): void => {
      p.failed++;
      p.failures[why] = (p.failures[why] ?? 0) + 1;
    };
    const req = http.get(this.o.url, { agent: keepAlive ? this.keep : false, headers: { host: this.o.host } }, (res) => {
      res.resume();
      res.on('end', () => {
        if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) fail(String(res.statusCode));
        this.inflight--;
      });
      res.on('error', (e: NodeJS.ErrnoException) => {
        fail(e.code ?? e.message);
        this.inflight--;
      });
    });
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => {
      fail(e.code ?? e.message);
      this.inflight--;
    });
  }
}
