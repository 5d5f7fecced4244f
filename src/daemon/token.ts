import path from 'node:path';
import { newToken, type AuthService } from '../auth/index.js';
import { writeFileAtomic } from '../lib/index.js';

/**
 * On first start: make the admin token, write it once to HOME/admin-token
 * (0600) and keep only its hash. The file is written before the hash is
 * committed, so a crash in between just makes a fresh token next start.
 */
export function ensureAdminToken(auth: AuthService, home: string): void {
  auth.ensureAdminToken(() => {
    const token = newToken();
    writeFileAtomic(path.join(home, 'admin-token'), `${token}\n`, 0o600);
    return token;
  });
}
