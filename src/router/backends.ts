// HAProxy backends as a pool: an app takes a spare backend HAProxy already
// has, and is routed to it through the runtime API (slots re-pointed, host
// and state maps updated), so creating, destroying or adding a domain to an
// app needs no reload. Spares are added ahead of need (the pool grows by half
// of what is in use), in a reload nobody waits for; only a burst that uses
// every spare before that reload lands waits for one.
import { planSlots, type SlotTable } from './slots.js';

export interface PoolBackend {
  /** `beN`: never reused for another backend while this router runs. */
  readonly name: string;
  app: string | undefined;
  table: SlotTable;
  /** When it was last given back, on the pool's clock; 0 = never used. */
  freedAt: number;
}

/** Spare backends kept beside `used` ones: at least 16, else half as many again (geometric growth). */
export const sparesFor = (used: number): number => Math.max(16, Math.ceil(used / 2));

export class BackendPool {
  private readonly list: PoolBackend[] = [];
  private readonly byApp = new Map<string, PoolBackend>();
  private readonly byName = new Map<string, PoolBackend>();
  private clock = 0;

  /** Every backend, in the order they were added (the config's order). */
  all(): readonly PoolBackend[] {
    return this.list;
  }

  of(app: string): PoolBackend | undefined {
    return this.byApp.get(app);
  }

  /** The app a backend serves now (access-log lines carry the backend name). */
  appOf(name: string): string | undefined {
    return this.byName.get(name)?.app;
  }

  /**
   * The app's backend: its own, else the free one HAProxy has loaded that was
   * freed longest ago (a just-freed one may still carry the last requests of
   * the app that had it), else any free one, else a new one (both of the
   * latter need a reload before they route).
   */
  take(app: string, loaded: (name: string) => boolean): PoolBackend {
    const own = this.byApp.get(app);
    if (own) return own;
    const free = this.list.filter((b) => b.app === undefined);
    const be = free.filter((b) => loaded(b.name)).sort((a, b) => a.freedAt - b.freedAt)[0] ?? free[0] ?? this.add();
    be.app = app;
    this.byApp.set(app, be);
    return be;
  }

  /** Gives the app's backend back with every slot empty (their history kept for the next user); returns it, emptied. */
  release(app: string): { be: PoolBackend; before: SlotTable } | undefined {
    const be = this.byApp.get(app);
    if (!be) return undefined;
    this.byApp.delete(app);
    const before = be.table;
    be.table = planSlots(before, []);
    be.app = undefined;
    be.freedAt = ++this.clock;
    return { be, before };
  }

  /**
   * Fewer spares than half the target: time to grow (off the request path).
   * Spares not loaded yet count: the reload that loads them is under way.
   */
  needsGrowth(): boolean {
    return this.list.length - this.byApp.size < Math.ceil(sparesFor(this.byApp.size) / 2);
  }

  /** Adds spares up to the target for the apps in use; true when it added any. */
  grow(): boolean {
    const want = this.byApp.size + sparesFor(this.byApp.size);
    const before = this.list.length;
    while (this.list.length < want) this.add();
    return this.list.length > before;
  }

  private add(): PoolBackend {
    const be: PoolBackend = { name: `be${this.list.length + 1}`, app: undefined, table: planSlots(undefined, []), freedAt: 0 };
    this.list.push(be);
    this.byName.set(be.name, be);
    return be;
  }
}
