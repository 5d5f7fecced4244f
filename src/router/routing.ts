import { RequestRates } from './rates.js';
import { Router } from './router.js';
import type { AppRouteState, AppStats, RouterOptions, RouteTarget } from './types.js';

/** What the supervisor publishes for an app: its web targets and what it is doing. */
export interface WebView {
  targets: RouteTarget[];
  state: AppRouteState;
  /** Why web is down (its last exit), for the activator's 503 and the log. */
  reason?: string;
}

export interface RoutingOptions {
  /** The HAProxy side; the request log and the activator's callbacks are Routing's own. */
  router: Omit<RouterOptions, 'onRouterLog' | 'activator'> & { activator?: { maxQueue?: number; maxWaitMs?: number } };
  /** The app's custom domains, or undefined once the app is gone. */
  hosts(app: string): string[] | undefined;
  /** The app scales to zero: with no ready target its requests wait in the activator while it wakes. */
  scalesToZero(app: string): boolean;
  /** Router lines (one per request) and the platform's lines about wakes. */
  log(app: string, entry: { source: 'router' | 'platform'; line: string }): void;
}

/**
 * The one owner of routing state: what each app's traffic goes to (the web
 * targets the supervisor publishes, its domains, whether it scales to zero),
 * the wake requests of apps at zero, draining, and the per-app request
 * outcomes read from the router's log. The supervisor, the autoscaler and the
 * API ask it; nobody else talks to the Router.
 */
export class Routing {
  readonly router: Router;
  /** Request outcomes per app (for the post-release guard). */
  readonly rates = new RequestRates();
  private readonly web = new Map<string, WebView>();
  private waker: ((app: string) => Promise<void>) | undefined;
  private lineListener: ((app: string, line: string) => void) | undefined;

  constructor(private readonly opts: RoutingOptions) {
    this.router = new Router({
      ...opts.router,
      onRouterLog: (app, line) => this.requestLogged(app, line),
      activator: {
        ...opts.router.activator,
        wake: (app) => this.wakeRequested(app),
        event: (app, line) => opts.log(app, { source: 'platform', line }),
      },
    });
  }

  /** Who starts an app at zero when a request arrives (the autoscaler); connected once both exist. */
  onWake(waker: (app: string) => Promise<void>): void {
    this.waker = waker;
  }

  /** Who else reads the router's request lines (metrics); connected once both exist. */
  onRouterLine(listener: (app: string, line: string) => void): void {
    this.lineListener = listener;
  }

  /** Starts HAProxy with every app in its first config (one start, no reload per app); their targets follow as they start. */
  async start(apps: string[]): Promise<{ url: string; port: number; tlsUrl?: string; tlsPort?: number }> {
    await Promise.all(apps.map((app) => this.router.setApp(app, { hosts: this.opts.hosts(app) ?? [], targets: [], state: 'starting' })));
    return this.router.start();
  }

  stop(): Promise<void> {
    return this.router.stop();
  }

  /** The supervisor's view of an app changed: route its traffic there. */
  publish(app: string, view: WebView): Promise<void> {
    this.web.set(app, view);
    return this.refresh(app);
  }

  /** Brings the router's entry up to date (after a create, a domain change, a new autoscale rule); resolves when it routes. */
  refresh(app: string): Promise<void> {
    const hosts = this.opts.hosts(app);
    if (hosts === undefined) return this.router.removeApp(app);
    const w = this.web.get(app) ?? { targets: [], state: 'stopped' as const };
    return this.router.setApp(app, { hosts, targets: w.targets, state: w.state, reason: w.reason, activate: this.opts.scalesToZero(app) });
  }

  /** The app was destroyed: its routing state goes (its hosts already 404 once refresh() finds it gone). */
  forget(app: string): void {
    this.web.delete(app);
    this.rates.forget(app);
  }

  /** See Router.drain: resolves when these draining targets have nothing in flight, or at the deadline with the count left. */
  drain(app: string, targetIds: string[], deadlineMs: number): Promise<number> {
    return this.router.drain(app, targetIds, deadlineMs);
  }

  /** In flight, per second and running total per app (the autoscaler's input). */
  stats(): Promise<Record<string, AppStats>> {
    return this.router.stats();
  }

  /** Requests the activator holds for the app, and whether it is waking. */
  activation(app: string): { held: number; waking: boolean } {
    return this.router.activation(app);
  }

  private requestLogged(app: string, line: string): void {
    const status = /\bstatus=(\d{3})\b/.exec(line)?.[1];
    if (status) this.rates.record(app, Number(status));
    this.lineListener?.(app, line);
    // dyno=web.1_3f9a2c → dyno=web.1: the instance suffix is the router's, users know web.1
    this.opts.log(app, { source: 'router', line: line.replace(/dyno=(\S+?)_[0-9a-f]{6}\b/, 'dyno=$1') });
  }

  /** A request is held for an app at zero; a wake that cannot begin answers the held requests 503 with the reason. */
  private wakeRequested(app: string): void {
    const failed = (e: unknown): void => {
      const why = e instanceof Error ? e.message : String(e);
      this.opts.log(app, { source: 'platform', line: `Autoscale web: the wake failed: ${why}` });
      this.router.wakeFailed(app, why);
    };
    if (!this.waker) return failed(new Error('the server is still starting'));
    this.waker(app).catch(failed);
  }
}
