// bench/zero-downtime: a bounded load (default 200 req/s, kept-alive and new
// connections mixed) on an app with 2 web instances while it goes through
// 10 redeploys, 2 rollbacks, a config:set, a scale 2→4→2 and a kill -9 of one
// instance, with one WebSocket client connected throughout. Reports, per
// phase, requests sent and failed (any non-2xx or socket error), and when the
// WebSocket was cut. Also: git push → new body served on a warm cache.
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { PsJson } from '../src/api/schemas.js';
import { run, waitFor } from '../src/lib/index.js';
import { commitAll, Daemon, httpGet, Load, type PhaseResult } from '../src/testkit/index.js';
import { median, ms, printTable, writeResults, type Row, scoped } from './lib.js';

const DRAIN_S = 5;

export async function zeroDowntime(rps = Number(process.env.BENCH_RPS ?? 200)): Promise<Row[]> {
  return scoped(async (t) => {
    const d = await Daemon.start(t);
    const dir = await d.appFromFixture(t, 'steady', 'web-worker', { push: false });
    await push(d, dir);
    await must(d.cli(['ps:scale', '-a', 'steady', 'web=2']));
    await must(d.cli(['apps:settings:set', '-a', 'steady', `drain-timeout=${DRAIN_S}`, 'stop-timeout=5']));
    const port = new URL(d.info.router).port;
    const host = `steady.localhost:${port}`;
    const ws = new WsWatch(Number(port), host);
    const load = new Load({ url: `${d.info.router}/`, host, rps, maxMs: 600_000 });
    load.start('warm-up');
    await sleep(1000);
    const server = path.join(dir, 'server.cjs');
    const served: number[] = [];
    const phaseStart = new Map<string, number>(); // when each phase began
    const phase = (name: string): void => {
      load.phase(name);
      phaseStart.set(name, Date.now());
      ws.phase = name;
    };
    for (let i = 1; i <= 10; i++) {
      phase(`redeploy ${i}`);
      writeFileSync(server, readFileSync(server, 'utf8').replace(/'greeting \d+'|'hello'/, `'greeting ${i}'`));
      await commitAll(dir, `change ${i}`);
      const t0 = performance.now();
      await push(d, dir);
      await waitFor(async () => (await httpGet(`${d.info.router}/`, { host })).body.startsWith(`greeting ${i} `), { timeoutMs: 30_000, intervalMs: 5, what: 'the new body' });
      served.push(performance.now() - t0);
    }
    for (let i = 1; i <= 2; i++) {
      phase(`rollback ${i}`);
      await must(d.cli(['rollback', '-a', 'steady']));
    }
    phase('config:set');
    await must(d.cli(['config:set', '-a', 'steady', 'EXTRA=1']));
    phase('scale 2→4→2');
    await must(d.cli(['ps:scale', '-a', 'steady', 'web=4']));
    await must(d.cli(['ps:scale', '-a', 'steady', 'web=2']));
    phase('kill -9 of web.1');
    const web1 = ((await d.api('GET', '/v1/apps/steady/ps')).json as PsJson).instances.find((x) => x.name === 'web.1');
    const pid = /pid=(\d+)/.exec((await run(['ss', '-ltnpH', `sport = :${web1?.port}`], { allowFailure: true })).stdout)?.[1];
    if (pid) process.kill(Number(pid), 'SIGKILL');
    await waitFor(async () => ((await d.api('GET', '/v1/apps/steady/ps')).json as PsJson).instances.filter((x) => x.state === 'up').length === 2, { timeoutMs: 30_000, what: 'web.1 back' });
    await sleep(1000);
    const phases = await load.stop();
    ws.close();

    const rows: Row[] = phases.map((p: PhaseResult) => ({
      name: p.phase,
      sent: p.sent,
      failed: p.failed,
      failures: Object.keys(p.failures).length ? JSON.stringify(p.failures) : '-',
    }));
    printTable(`zero downtime: ${rps} req/s, 2 web instances, drain-timeout ${DRAIN_S} s`, rows);
    const total = phases.reduce((n, p) => n + p.failed, 0);
    process.stdout.write(`\nfailed requests in all phases: ${total} of ${phases.reduce((n, p) => n + p.sent, 0)} (goal 0)\n`);
    process.stdout.write(`git push → new body served (warm cache), median of ${served.length}: ${ms(median(served))}\n`);
    const firstRetire = phaseStart.get('redeploy 1') ?? 0;
    for (const c of ws.cuts) {
      process.stdout.write(`WebSocket opened in ${c.openedIn} was cut during ${c.phase}, after ${(c.openMs / 1000).toFixed(1)} s open${c.openedIn === 'warm-up' ? ` (${((c.at - firstRetire) / 1000).toFixed(1)} s after its instance began draining; drain deadline ${DRAIN_S} s + stop-timeout)` : ''}\n`);
    }
    process.stdout.write(`WebSocket: ${ws.cuts.length} cut(s), ${ws.echoes} echoes in all\n`);
    const file = writeResults('zero-downtime', { rps, drain_s: DRAIN_S, phases, push_to_served_ms: served, push_to_served_median_ms: median(served), websocket: { cuts: ws.cuts, echoes: ws.echoes } });
    process.stdout.write(`wrote ${file}\n`);
    return rows;
  });
}

/** A WebSocket client that stays connected (reconnecting when cut) and notes when and in which phase it was cut. */
class WsWatch {
  phase = 'warm-up';
  cuts: { phase: string; at: number; openMs: number; openedIn: string }[] = [];
  echoes = 0;
  private sock: net.Socket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly port: number, private readonly host: string) {
    this.connect();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    this.sock?.destroy();
  }

  private connect(): void {
    const sock = net.connect(this.port, '127.0.0.1');
    this.sock = sock;
    let upgraded = false;
    const openedAt = Date.now();
    const openedIn = this.phase;
    sock.on('connect', () => sock.write(`GET /ws HTTP/1.1\r\nHost: ${this.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`));
    sock.on('data', (b: Buffer) => {
      if (!upgraded && b.toString().startsWith('HTTP/1.1 101')) {
        upgraded = true;
        this.timer = setInterval(() => sock.write(Buffer.from([0x81, 0x84, 1, 2, 3, 4, 0x70 ^ 1, 0x69 ^ 2, 0x6e ^ 3, 0x67 ^ 4])), 500);
      } else if (upgraded) this.echoes++;
    });
    sock.on('close', () => {
      clearInterval(this.timer);
      if (this.closed) return;
      if (upgraded) this.cuts.push({ phase: this.phase, at: Date.now(), openMs: Date.now() - openedAt, openedIn });
      setTimeout(() => this.connect(), 200);
    });
    sock.on('error', () => undefined);
  }
}

async function push(d: Daemon, dir: string): Promise<void> {
  const r = await d.git(['push', 'slipway', 'main'], dir);
  if (r.exitCode !== 0) throw new Error(r.stderr);
}

async function must(p: Promise<{ exitCode: number | null; stderr: string }>): Promise<void> {
  const r = await p;
  if (r.exitCode !== 0) throw new Error(r.stderr);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
