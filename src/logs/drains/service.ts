import { randomUUID } from 'node:crypto';
import { SlipwayError } from '../../lib/index.js';
import type { LogStore } from '../store.js';
import { Drain, type DrainStats } from './drain.js';
import { parseDrainUrl, redactUrl, transportFor } from './transport.js';

/** A drain as stored (state's DrainStore, injected by the daemon). */
export interface DrainRecord {
  id: number;
  app: string;
  url: string;
  token: string;
  ca: string | null;
  created_at: string;
}

export interface DrainRecords {
  all(): DrainRecord[];
  insert(app: string, d: { url: string; token: string; ca: string | null }): DrainRecord;
  delete(app: string, id: number): void;
}

export interface DrainView extends DrainStats {
  id: number;
  /** With any password replaced by ***. */
  url: string;
  token: string;
  created_at: string;
}

export interface DrainServiceOptions {
  records: DrainRecords;
  logs: LogStore;
  /** Lines held per drain while its receiver is down (default 10,000). */
  bufferLines?: number;
  batch?: number;
  maxBackoffMs?: number;
}

const MAX_DRAINS_PER_APP = 10;

/**
 * Log drains: every line of a drained app's stream is handed to each of its
 * drains as it is logged (one LogStore follower per app); each drain sends on
 * its own, so a slow receiver holds up nobody.
 */
export class DrainService {
  private readonly drains = new Map<string, Map<number, { rec: DrainRecord; drain: Drain }>>();
  private readonly followers = new Map<string, () => void>();

  constructor(private readonly opts: DrainServiceOptions) {}

  /** Starts the drains stored for every app. */
  start(): void {
    for (const rec of this.opts.records.all()) this.attach(rec);
  }

  async stop(): Promise<void> {
    for (const unfollow of this.followers.values()) unfollow();
    this.followers.clear();
    const all = [...this.drains.values()].flatMap((m) => [...m.values()]);
    this.drains.clear();
    await Promise.all(all.map((d) => d.drain.stop()));
  }

  add(app: string, url: string, ca?: string): DrainView {
    const parsed = parseDrainUrl(url);
    if (ca !== undefined && !ca.includes('-----BEGIN CERTIFICATE-----')) throw new SlipwayError('E_VALIDATION', 'ca: must be PEM certificates', { hint: '--ca takes a file with -----BEGIN CERTIFICATE----- blocks' });
    const mine = this.drains.get(app);
    if ([...(mine?.values() ?? [])].some((d) => d.rec.url === parsed.url.href)) {
      throw new SlipwayError('E_VALIDATION', `${app} already drains to ${redactUrl(parsed.url)}`, { hint: '`slipway drains -a APP` lists them' });
    }
    if ((mine?.size ?? 0) >= MAX_DRAINS_PER_APP) throw new SlipwayError('E_VALIDATION', `an app can have at most ${MAX_DRAINS_PER_APP} drains`, { hint: 'remove one with `slipway drains:remove`' });
    const rec = this.opts.records.insert(app, { url: parsed.url.href, token: `d.${randomUUID()}`, ca: ca ?? null });
    return this.view(this.attach(rec));
  }

  /** Removes a drain given by id or URL. */
  async remove(app: string, idOrUrl: string): Promise<DrainView> {
    const mine = this.drains.get(app);
    const found = [...(mine?.values() ?? [])].find((d) => String(d.rec.id) === idOrUrl || d.rec.url === idOrUrl || redactUrl(new URL(d.rec.url)) === idOrUrl || safeHref(idOrUrl) === d.rec.url);
    if (!mine || !found) throw new SlipwayError('E_NOT_FOUND', `${app} has no drain ${idOrUrl}`, { hint: '`slipway drains -a APP` lists them' });
    this.opts.records.delete(app, found.rec.id);
    mine.delete(found.rec.id);
    if (mine.size === 0) this.detach(app);
    await found.drain.stop();
    return this.view(found);
  }

  list(app: string): DrainView[] {
    return [...(this.drains.get(app)?.values() ?? [])].map((d) => this.view(d));
  }

  /** The app was destroyed (its rows went with it): stop its drains. */
  forget(app: string): void {
    const mine = this.drains.get(app);
    this.detach(app);
    for (const d of mine?.values() ?? []) void d.drain.stop();
  }

  private attach(rec: DrainRecord): { rec: DrainRecord; drain: Drain } {
    const { kind, url } = parseDrainUrl(rec.url);
    const target = { kind, url, token: rec.token, ca: rec.ca ?? undefined };
    const drain = new Drain(target, transportFor(target), { bufferLines: this.opts.bufferLines ?? 10_000, batch: this.opts.batch ?? 100, maxBackoffMs: this.opts.maxBackoffMs });
    let mine = this.drains.get(rec.app);
    if (!mine) this.drains.set(rec.app, (mine = new Map()));
    const entry = { rec, drain };
    mine.set(rec.id, entry);
    if (!this.followers.has(rec.app)) {
      const set = mine;
      this.followers.set(rec.app, this.opts.logs.follow(rec.app, undefined, (e) => {
        for (const d of set.values()) d.drain.push(e);
      }));
    }
    return entry;
  }

  private detach(app: string): void {
    this.followers.get(app)?.();
    this.followers.delete(app);
    this.drains.delete(app);
  }

  private view(d: { rec: DrainRecord; drain: Drain }): DrainView {
    return { id: d.rec.id, url: redactUrl(new URL(d.rec.url)), token: d.rec.token, created_at: d.rec.created_at, ...d.drain.stats() };
  }
}

function safeHref(s: string): string | undefined {
  try {
    return new URL(s).href;
  } catch {
    return undefined;
  }
}
