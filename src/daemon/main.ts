import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../lib/index.js';
import { lockHome } from './lock.js';
import { parseSettings, urlFor, type ServerFlags } from './settings.js';
import { wire } from './wire.js';

/** How long instances get to exit on SIGTERM when the server itself stops. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * `slipway server`: lock the home, open state, start the router and the API,
 * write server.json, print one `slipway ready` line, then bring every app's
 * current release back up. SIGTERM/SIGINT stop instances gracefully.
 */
export async function runServer(flags: ServerFlags): Promise<void> {
  const settings = parseSettings(flags, process.env);
  mkdirSync(settings.home, { recursive: true, mode: 0o700 });
  chmodSync(settings.home, 0o700); // it holds the token and every app's secrets
  const lock = await lockHome(settings.home);
  const p = wire(settings);

  // every app is in the first HAProxy config (one start, no reload per app); boot() fills in targets
  await p.certs.load(); // in HAProxy's first config: no runtime change per certificate
  const routed = await p.routing.start(p.store.listApps().map((app) => app.name));
  p.urls.router = urlFor(settings.routerListen.host, routed.port);
  if (settings.routerTlsListen && routed.tlsPort) p.urls.routerTls = urlFor(settings.routerTlsListen.host, routed.tlsPort).replace(/^http:/, 'https:');
  await p.api.listen({ host: settings.apiListen.host, port: settings.apiListen.port });
  const apiAddr = p.api.server.address();
  if (!apiAddr || typeof apiAddr === 'string') throw new Error('API listener has no TCP address');
  p.urls.api = urlFor(apiAddr.address, apiAddr.port);
  p.hook.url = p.urls.api;

  const infoFile = path.join(settings.home, 'server.json');
  // Before anyone can learn the server is up (server.json, the ready line): a
  // SIGTERM that arrives before a listener exists kills Node outright.
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`slipway: ${signal} received, stopping\n`);
    // attached runs and log tails are long-lived: they end with their instances, not before
    p.autoscaler.stop();
    p.metrics.stop();
    await p.drains.stop();
    const closing = p.api.close();
    await p.supervisor.shutdown(SHUTDOWN_GRACE_MS);
    p.api.server.closeAllConnections();
    await closing;
    await p.routing.stop();
    await p.logs.close();
    p.db.close();
    rmSync(infoFile, { force: true });
    lock.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  const info = { pid: process.pid, api: p.urls.api, router: p.urls.router, ...(p.urls.routerTls ? { router_tls: p.urls.routerTls } : {}), domain: settings.domain, version: p.version, home: settings.home, started_at: new Date().toISOString() };
  writeFileAtomic(infoFile, `${JSON.stringify(info, null, 2)}\n`, 0o644);
  process.stdout.write(`slipway ready api=${p.urls.api} router=${p.urls.router}${p.urls.routerTls ? ` router_tls=${p.urls.routerTls}` : ''} domain=${settings.domain} home=${settings.home} pid=${process.pid}\n`);
  p.metrics.start();
  p.drains.start();
  void p.ops
    .boot()
    // one app's cron failing to load must not keep the others' (or the autoscaler) from starting
    .then(() => Promise.all(p.store.listApps().map((a) => p.cron.sync(a.name, true).catch((err: unknown) => p.logs.append(a.name, { source: 'platform', line: `cron: not scheduled at start-up: ${err instanceof Error ? err.message : String(err)}` })))))
    .then(() => p.autoscaler.start())
    .catch((err: unknown) => process.stderr.write(`slipway: start-up of apps failed: ${err instanceof Error ? err.stack : String(err)}\n`));

}
