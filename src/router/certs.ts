import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { SlipwayError, writeFileAtomic } from '../lib/index.js';
import { checkCert } from './cert-check.js';

/** One certificate an app serves, as listed (never the key). */
export interface CertRecord {
  id: string;
  app: string;
  /** The app's host names it covers. */
  hosts: string[];
  source: 'manual' | 'acme';
  issuer: string;
  not_before: string;
  not_after: string;
  status: 'issued' | 'pending' | 'failed';
  error?: string;
}

export interface CertManagerOptions {
  /** HOME/certs: ID.json (the record) and ID.pem (chain + key, 0600). */
  dir: string;
  /** Serves or replaces a certificate without a reload, or stops serving it. */
  serve(id: string, pem: string): Promise<void>;
  unserve(id: string): Promise<void>;
  /** Every host name of an app (APP.DOMAIN and its custom domains). */
  hostsOf(app: string): string[];
  log(app: string, line: string): void;
}

/** One certificate per app and leaf host name: a new one for the same name replaces it (a renewal). */
export const certId = (app: string, host: string): string => `${app}-${createHash('sha256').update(host).digest('hex').slice(0, 12)}`;

/**
 * The certificates apps serve: kept under HOME/certs (keys 0600, written
 * before the record, so a crash leaves no record without its key) and given
 * to the router, which serves them by SNI.
 */
export class CertManager {
  private readonly records = new Map<string, CertRecord>();

  constructor(private readonly opts: CertManagerOptions) {}

  /** Reads every stored certificate and hands it to the router (before it starts: no runtime call per certificate). */
  async load(): Promise<void> {
    mkdirSync(this.opts.dir, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(this.opts.dir)) {
      if (!name.endsWith('.json')) continue;
      const rec = JSON.parse(readFileSync(path.join(this.opts.dir, name), 'utf8')) as CertRecord;
      this.records.set(rec.id, rec);
      await this.opts.serve(rec.id, readFileSync(this.pemFile(rec.id), 'utf8'));
    }
  }

  list(app: string): CertRecord[] {
    return [...this.records.values()].filter((r) => r.app === app).sort((a, b) => a.hosts[0]!.localeCompare(b.hosts[0]!));
  }

  /** A certificate the user brings: checked (chain, key, dates, names), stored, served. Nothing is kept when a check fails. */
  async add(app: string, certPem: unknown, keyPem: unknown): Promise<CertRecord> {
    if (typeof certPem !== 'string' || typeof keyPem !== 'string') throw new SlipwayError('E_VALIDATION', 'give cert and key as PEM text');
    const c = checkCert(certPem, keyPem, this.opts.hostsOf(app));
    const rec: CertRecord = { id: certId(app, c.hosts[0]!), app, hosts: c.hosts, source: 'manual', issuer: c.issuer, not_before: c.notBefore, not_after: c.notAfter, status: 'issued' };
    await this.store(rec, c.chainPem + c.keyPem);
    this.opts.log(app, `TLS: certificate for ${c.hosts.join(', ')} added (issuer ${c.issuer}, expires ${c.notAfter})`);
    return rec;
  }

  async remove(app: string, id: string): Promise<CertRecord> {
    const rec = this.records.get(id);
    if (!rec || rec.app !== app) throw new SlipwayError('E_NOT_FOUND', `no certificate ${id} on ${app}`, { hint: `run \`slipway certs -a ${app}\`` });
    await this.opts.unserve(id);
    this.records.delete(id);
    rmSync(path.join(this.opts.dir, `${id}.json`), { force: true });
    rmSync(this.pemFile(id), { force: true });
    this.opts.log(app, `TLS: certificate for ${rec.hosts.join(', ')} removed`);
    return rec;
  }

  /** The app is gone: its certificates go with it. */
  async removeApp(app: string): Promise<void> {
    for (const r of this.list(app)) await this.remove(app, r.id);
  }

  private async store(rec: CertRecord, pem: string): Promise<void> {
    mkdirSync(this.opts.dir, { recursive: true, mode: 0o700 });
    writeFileAtomic(this.pemFile(rec.id), pem, 0o600);
    writeFileAtomic(path.join(this.opts.dir, `${rec.id}.json`), `${JSON.stringify(rec, null, 2)}\n`, 0o600);
    this.records.set(rec.id, rec);
    await this.opts.serve(rec.id, pem);
  }

  private pemFile(id: string): string {
    return path.join(this.opts.dir, `${id}.pem`);
  }
}
