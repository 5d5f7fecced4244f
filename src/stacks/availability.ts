import { run, SlipwayError } from '../lib/index.js';
import type { PackageRequest } from './dpkg-status.js';

/**
 * Checks requested packages and pins against the host's apt lists (the same
 * sources the stack is made from) before mmdebstrap runs: mmdebstrap only
 * finds a missing package after it has installed the whole essential set,
 * minutes in. When the host has no lists at all (never `apt-get update`d),
 * nothing is decided here and mmdebstrap's own check stands.
 */
export async function checkAvailable(requests: readonly PackageRequest[]): Promise<void> {
  if (requests.length === 0) return;
  const names = [...new Set(['base-files', ...requests.map((r) => r.name)])];
  const res = await run(['apt-cache', 'madison', ...names], { allowFailure: true }).catch(() => undefined);
  if (res === undefined) return;
  const versions = madisonVersions(res.stdout);
  if (!versions.has('base-files')) return;
  for (const r of requests) {
    const known = versions.get(r.name);
    if (known === undefined) {
      throw new SlipwayError('E_STACK_PACKAGE_NOT_FOUND', `package ${r.name} does not exist in the configured Debian sources`, {
        hint: 'check the name with `apt-cache policy NAME` (after `apt-get update` if the package is new)',
      });
    }
    if (r.version !== undefined && !known.has(r.version)) {
      throw new SlipwayError('E_STACK_PACKAGE_NOT_FOUND', `package ${r.name} has no version ${r.version} in the configured Debian sources (there: ${[...known].join(', ')})`, {
        hint: 'pick one of the versions `apt-cache madison NAME` lists',
      });
    }
  }
}

/** `apt-cache madison` lines (`name | version | source`) → name → versions. */
export function madisonVersions(text: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const [name, version] = line.split('|').map((s) => s.trim());
    if (!name || !version) continue;
    out.set(name, (out.get(name) ?? new Set()).add(version));
  }
  return out;
}
