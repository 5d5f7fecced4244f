import { createHash, timingSafeEqual } from 'node:crypto';

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * Compares the presented token's hash with every stored hash in constant time
 * (no early exit), so neither timing nor order tells anything.
 */
export function tokenMatches(presented: string | undefined, hashes: readonly Buffer[]): boolean {
  if (!presented) return false;
  const h = hashToken(presented);
  let ok = false;
  for (const stored of hashes) {
    if (stored.length === h.length && timingSafeEqual(stored, h)) ok = true;
  }
  return ok;
}

/** Reads `Authorization: Bearer T`, or Basic auth's password (any user), as git sends it. */
export function presentedToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value] = header.split(' ', 2);
  if (!scheme || !value) return undefined;
  if (scheme.toLowerCase() === 'bearer') return value.trim();
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value.trim(), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    return i >= 0 ? decoded.slice(i + 1) : undefined;
  }
  return undefined;
}
