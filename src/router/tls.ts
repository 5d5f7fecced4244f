// Certificates in the running HAProxy through its runtime API: a new one is
// created, filled, committed and added to the crt-list; a renewal is a new
// payload committed over the old; a removal leaves the crt-list then the
// store. Connections open on the old certificate carry on.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { run, SlipwayError, writeFileAtomic } from '../lib/index.js';
import type { RunPaths } from './config.js';
import { socketCommand } from './runtime-api.js';

export const CERT_ID_RULE = /^[a-z0-9][a-z0-9-]{0,100}$/;

/** Sends `CMD <<` with a multi-line payload; HAProxy reads it up to an empty line. */
async function payloadCommand(sock: string, cmd: string, payload: string): Promise<string> {
  const body = payload.replace(/\r/g, '').replace(/\n{2,}/g, '\n').trimEnd();
  return socketCommand(sock, `${cmd} <<\n${body}\n`);
}

function check(out: string, what: string): void {
  const t = out.trim();
  if (/(Success!|New empty certificate store|Transaction created|Transaction updated|deleted in crtlist|deleted!)/.test(t) && !/(error|unable|can't|cannot|not found)/i.test(t)) return;
  throw new SlipwayError('E_STATE', `haproxy refused ${what}: ${t.slice(0, 500)}`);
}

/** Adds (`known` false) or replaces a certificate in the running HAProxy. */
export async function applyCert(paths: RunPaths, id: string, pem: string, known: boolean): Promise<void> {
  const file = paths.certFile(id);
  if (!known) check(await socketCommand(paths.adminSock, `new ssl cert ${file}`), `new ssl cert ${id}`);
  check(await payloadCommand(paths.adminSock, `set ssl cert ${file}`, pem), `set ssl cert ${id}`);
  check(await socketCommand(paths.adminSock, `commit ssl cert ${file}`), `commit ssl cert ${id}`);
  if (!known) check(await payloadCommand(paths.adminSock, `add ssl crt-list ${paths.crtList}`, file), `add ssl crt-list ${id}`);
}

export async function dropCert(paths: RunPaths, id: string): Promise<void> {
  const file = paths.certFile(id);
  check(await socketCommand(paths.adminSock, `del ssl crt-list ${paths.crtList} ${file}`), `del ssl crt-list ${id}`);
  check(await socketCommand(paths.adminSock, `del ssl cert ${file}`), `del ssl cert ${id}`);
}

/** The crt-list: the default certificate first (names nothing else covers), then one line per certificate; SNI comes from each one's names. */
export function crtListFile(paths: RunPaths, ids: Iterable<string>): string {
  return [paths.defaultCert, ...[...ids].map((id) => paths.certFile(id))].map((f) => `${f}\n`).join('');
}

/** A self-signed certificate for handshakes no other certificate matches (made once per run directory). */
export async function ensureDefaultCert(paths: RunPaths): Promise<void> {
  mkdirSync(paths.certsDir, { recursive: true, mode: 0o700 });
  if (existsSync(paths.defaultCert)) return;
  const key = `${paths.defaultCert}.key.tmp`;
  const crt = `${paths.defaultCert}.crt.tmp`;
  try {
    await run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', crt, '-days', '3650', '-subj', '/CN=slipway-default.invalid'], { timeoutMs: 20_000 });
    writeFileAtomic(paths.defaultCert, readFileSync(crt, 'utf8') + readFileSync(key, 'utf8'), 0o600);
  } finally {
    rmSync(key, { force: true });
    rmSync(crt, { force: true });
  }
}
