// The activator's hold-queue as pure state: no timers, no sockets, the clock
// passed in. Each call returns what the HTTP shell (activator.ts) must do —
// pass requests on, answer them 503, log, ask for a wake — as kamal-proxy's
// pause controller returns what to do apart from the code that proxies.

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

/** What the shell must do after a call; every list may be empty. */
export interface Effects<H> {
  /** Held (or new) requests to pass on, in arrival order. */
  go: { item: H; target: ActivatorTarget }[];
  /** Requests to answer 503 with `shown` (the app's output never reaches the client). */
  refuse: { item: H; shown: string }[];
  /** Lines for the app's log. */
  events: string[];
  /** Ask for a wake (once per wake). */
  wake: boolean;
}

interface AppHold<H> {
  queue: { item: H; at: number }[];
  /** When the current wake began (first held request); 0 = no wake in progress. */
  wakeAt: number;
  info: AppActivation;
  next: number;
}

const none = <H>(): Effects<H> => ({ go: [], refuse: [], events: [], wake: false });

export class HoldQueue<H> {
  private readonly apps = new Map<string, AppHold<H>>();

  constructor(private readonly limits: { maxQueue: number; maxWaitMs: number }) {}

  /** Requests held for the app and whether a wake is in progress (for ps and the autoscaler). */
  holding(app: string): { held: number; waking: boolean } {
    const a = this.apps.get(app);
    return { held: a?.queue.length ?? 0, waking: (a?.wakeAt ?? 0) > 0 };
  }

  /** A request arrived: passed on at once when a target is ready, else held (the first of a wake asks for it), or refused. */
  admit(app: string, item: H, now: number): Effects<H> & { held: boolean } {
    const out = { ...none<H>(), held: false };
    const a = this.hold(app);
    if (a.info.ready.length > 0) {
      out.go.push({ item, target: this.pick(a) });
      return out;
    }
    if (!a.info.enabled) {
      out.refuse.push({ item, shown: 'the app has no web process running' });
      return out;
    }
    if (a.queue.length >= this.limits.maxQueue) {
      out.events.push(`Activator: ${a.queue.length} request(s) already held while the app wakes (limit ${this.limits.maxQueue}); answered 503`);
      out.refuse.push({ item, shown: 'too many requests are waiting for the app to wake' });
      return out;
    }
    a.queue.push({ item, at: now });
    out.held = true;
    if (a.wakeAt === 0 || now - a.wakeAt > this.limits.maxWaitMs) {
      a.wakeAt = now;
      out.events.push('Activator: a request arrived while the app is scaled to zero; waking it');
      out.wake = true;
    }
    return out;
  }

  /** A held request reached the longest wait (its timer fired): it is answered 503, unless it already left. */
  expire(app: string, item: H, now: number): Effects<H> {
    const out = none<H>();
    const a = this.apps.get(app);
    const i = a ? a.queue.findIndex((q) => q.item === item) : -1;
    if (!a || i < 0) return out;
    const [h] = a.queue.splice(i, 1);
    out.events.push(`Activator: a request waited ${Math.round((now - (h?.at ?? now)) / 100) / 10} s for the app to wake (limit ${this.limits.maxWaitMs / 1000} s); answered 503`);
    // nothing left waiting on this wake: the next request asks for a new one
    if (a.queue.length === 0) a.wakeAt = 0;
    out.refuse.push({ item, shown: 'the app did not wake in time' });
    return out;
  }

  /** The client went away: it no longer holds a place. Returns whether it was still held. */
  leave(app: string, item: H): boolean {
    const a = this.apps.get(app);
    const i = a ? a.queue.findIndex((q) => q.item === item) : -1;
    if (!a || i < 0) return false;
    a.queue.splice(i, 1);
    return true;
  }

  /**
   * The router's latest view of the app (undefined: the app was removed).
   * Ready targets release the held requests in order; a crash during a wake,
   * or the app leaving scale-to-zero, answers them 503.
   */
  update(app: string, info: AppActivation | undefined, now: number): Effects<H> {
    if (!info) {
      const a = this.apps.get(app);
      this.apps.delete(app);
      return a ? this.refuseAll(a, 'the app was removed', 'the app was removed') : none<H>();
    }
    const a = this.hold(app);
    a.info = info;
    if (info.ready.length > 0) {
      const out = none<H>();
      if (a.wakeAt > 0) out.events.push(`Activator: woke from idle in ${now - a.wakeAt} ms (cold start); passing ${a.queue.length} held request(s) on`);
      a.wakeAt = 0;
      for (const h of a.queue.splice(0)) out.go.push({ item: h.item, target: this.pick(a) });
      return out;
    }
    if (a.wakeAt > 0 && info.state === 'crashed') return this.refuseAll(a, `the wake failed: ${info.reason ?? 'the process crashed on start'}`);
    if (!info.enabled && a.queue.length > 0) return this.refuseAll(a, 'autoscaling was turned off while it was idle', 'the app has no web process running');
    return none<H>();
  }

  /** The wake could not even begin (no release, a start error). */
  wakeFailed(app: string, reason: string): Effects<H> {
    const a = this.apps.get(app);
    return a && a.wakeAt > 0 ? this.refuseAll(a, `the wake failed: ${reason}`) : none<H>();
  }

  /** The server stops: every held request of every app is answered. */
  stopAll(): Map<string, Effects<H>> {
    const out = new Map<string, Effects<H>>();
    for (const [app, a] of this.apps) out.set(app, this.refuseAll(a, 'the server is stopping', 'the server is restarting'));
    return out;
  }

  private hold(app: string): AppHold<H> {
    let a = this.apps.get(app);
    if (!a) {
      a = { queue: [], wakeAt: 0, info: { enabled: false, ready: [], state: 'stopped' }, next: 0 };
      this.apps.set(app, a);
    }
    return a;
  }

  /** Round robin over the ready targets. */
  private pick(a: AppHold<H>): ActivatorTarget {
    const t = a.info.ready[a.next % a.info.ready.length] as ActivatorTarget;
    a.next++;
    return t;
  }

  /** `why` goes to the app's log only; the client sees `shown`. */
  private refuseAll(a: AppHold<H>, why: string, shown = 'the app could not be started'): Effects<H> {
    const out = none<H>();
    a.wakeAt = 0;
    const held = a.queue.splice(0);
    if (held.length) out.events.push(`Activator: ${why}; answered ${held.length} held request(s) with 503`);
    for (const h of held) out.refuse.push({ item: h.item, shown });
    return out;
  }
}
