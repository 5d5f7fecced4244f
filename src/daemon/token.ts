import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { hashToken } from '../api/index.js';
import { writeFileAtomic } from '../lib/index.js';
import type { Store } from '../state/index.js';

/**
 * On first start: make the admin token, write it once to HOME/admin-token
 * (0600) and keep only its hash. The file is written before the hash is
 * committed, so a crash in between just makes a fresh token next start.
 */
export function ensureAdminToken(store: Store, home: string): void {
  if (store.hasToken('admin')) return;
  const token = `slw_${randomBytes(32).toString('base64url')}`;
  writeFileAtomic(path.join(home, 'admin-token'), `${token}\n`, 0o600);
  store.insertToken('admin', hashToken(token).toString('hex'));
}
