// The dashboard and metrics with 100 apps: first load (bytes, time to the apps
// list with data in Chromium), the daemon's CPU while it samples every app,
// and Prometheus scrape time; each beside a reference in the same run.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import { Daemon } from '../src/testkit/index.js';
import { median, ms, percentile, printTable, writeResults, type Row, scoped } from './lib.js';

const APPS = Number(process.env.BENCH_APPS ?? 100);
const RUNNING = Number(process.env.BENCH_RUNNING ?? 3);
const LOADS = Number(process.env.BENCH_N ?? 10);

function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'latin1').slice(readFileSync(`/proc/${pid}/stat`, 'latin1').lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

export async function dashboard(): Promise<Row[]> {
  return scoped(async (t) => {
    const d = await Daemon.start(t);
    for (let i = 0; i < APPS - RUNNING; i++) await d.api('POST', '/v1/apps', { name: `idle-${i}` });
    for (let i = 0; i < RUNNING; i++) await d.appFromFixture(t, `run-${i}`, 'procfile-only');

    // bytes of a first load, as sent with brotli
    const shell = await fetch(`${d.info.api}/`, { headers: { 'accept-encoding': 'br' } });
    const html = await shell.text();
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
    let wire = Number(shell.headers.get('content-length') ?? html.length);
    let raw = html.length;
    for (const a of assets) {
      const res = await fetch(d.info.api + a, { headers: { 'accept-encoding': 'br' } });
      wire += Number(res.headers.get('content-length') ?? 0);
      raw += (await res.arrayBuffer()).byteLength; // fetch decodes: this is the uncompressed size
    }

    // a bare static page from a plain Node server: the floor of a page load here
    const bare = http.createServer((_q, r) => r.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>x</title><p>hello</p>'));
    await new Promise<void>((r) => bare.listen(0, '127.0.0.1', () => r()));
    t.after(() => bare.close());
    const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;

    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true });
    t.after(() => browser.close());
    const login = await fetch(`${d.info.api}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: d.token }) });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]?.split('=') ?? [];
    const loads: number[] = [];
    const bareLoads: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const ctx = await browser.newContext(); // empty cache each time
      await ctx.addCookies([{ name: cookie[0] as string, value: cookie[1] as string, url: d.info.api }]);
      const page = await ctx.newPage();
      let t0 = performance.now();
      await page.goto(`${d.info.api}/`);
      // (the page's CSP forbids evaluated strings, so wait on a locator: the last row's sparklines)
      await page.locator('tr[data-app] svg.spark').nth(APPS * 2 - 1).waitFor({ timeout: 60_000 });
      loads.push(performance.now() - t0);
      t0 = performance.now();
      await page.goto(bareUrl, { waitUntil: 'load' });
      bareLoads.push(performance.now() - t0);
      await ctx.close();
    }

    // Prometheus scrape, interleaved with the cheapest authenticated route
    const scrape: number[] = [];
    const server: number[] = [];
    let size = 0;
    for (let i = 0; i < 50; i++) {
      let t0 = performance.now();
      size = (await d.api('GET', '/metrics')).text.length;
      scrape.push(performance.now() - t0);
      t0 = performance.now();
      await d.api('GET', '/v1/server');
      server.push(performance.now() - t0);
    }

    // the daemon's CPU over 60 s while idle: six metrics samples of every app
    const pid = d.info.pid;
    const c0 = cpuMs(pid);
    const w0 = performance.now();
    await new Promise((r) => setTimeout(r, 60_000));
    const cpuPct = ((cpuMs(pid) - c0) / (performance.now() - w0)) * 100;

    const rows: Row[] = [
      { name: `first load over the wire (HTML + JS + CSS, brotli; ${assets.length + 1} files)`, value: `${(wire / 1024).toFixed(1)} KiB (${(raw / 1024).toFixed(1)} KiB raw)`, reference: 'a bare static page: 0.1 KiB' },
      { name: `first load → apps list with ${APPS} apps and their sparklines, median of ${LOADS}`, value: `${ms(median(loads))} (p90 ${ms(percentile(loads, 90))})`, reference: `bare static page to load: ${ms(median(bareLoads))}` },
      { name: `GET /metrics (${APPS} apps, ${(size / 1024).toFixed(0)} KiB), median of 50`, value: `${ms(median(scrape))} (p90 ${ms(percentile(scrape, 90))})`, reference: `GET /v1/server: ${ms(median(server))}` },
      { name: `daemon CPU over 60 s idle, ${APPS} apps (${RUNNING} running), sampled every 10 s`, value: `${cpuPct.toFixed(2)} % of one core`, reference: '' },
    ];
    printTable(`Dashboard and metrics (${APPS} apps)`, rows);
    writeResults('dashboard', { apps: APPS, running: RUNNING, loads, bareLoads, scrape, server, wire, raw, cpuPct });
    return rows;
  });
}
