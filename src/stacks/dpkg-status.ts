import { SlipwayError } from '../lib/index.js';

/** One installed Debian package, as dpkg records it. */
export interface InstalledPackage {
  name: string;
  version: string;
  architecture: string;
  /** Source package name (the binary's own name when dpkg records none). */
  source: string;
  sourceVersion: string;
}

/** Installed packages from `/var/lib/dpkg/status`, sorted by name. */
export function parseDpkgStatus(text: string): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  for (const para of text.split(/\n\n+/)) {
    const f = new Map<string, string>();
    for (const line of para.split('\n')) {
      const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
      if (m) f.set((m[1] as string).toLowerCase(), (m[2] as string).trim());
    }
    const name = f.get('package');
    const version = f.get('version');
    if (!name || !version || !/\binstalled$/.test(f.get('status') ?? '')) continue;
    const src = /^(\S+)(?:\s+\(([^)]+)\))?/.exec(f.get('source') ?? '');
    out.push({ name, version, architecture: f.get('architecture') ?? 'all', source: src?.[1] ?? name, sourceVersion: src?.[2] ?? version });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A requested package: `name` or `name=version`. */
export interface PackageRequest {
  name: string;
  version?: string;
}

const PKG_RE = /^[a-z0-9][a-z0-9+.-]+$/;
const VERSION_RE = /^[A-Za-z0-9.+~:-]+$/;

/** `libpq5 imagemagick=8:6.9.11.60+dfsg-1.6+deb12u1` → requests; a bad name fails with its position. */
export function parsePackageList(input: string | readonly string[]): PackageRequest[] {
  const words = typeof input === 'string' ? input.split(/[\s,]+/).filter(Boolean) : input;
  return words.map((w, i) => {
    const [name, version, extra] = w.split('=');
    if (!name || !PKG_RE.test(name) || extra !== undefined || (version !== undefined && !VERSION_RE.test(version))) {
      throw new SlipwayError('E_VALIDATION', `packages[${i}]: ${JSON.stringify(w)} is not a Debian package name (or name=version)`, {
        hint: 'write names as apt does: lowercase, e.g. libpq5 or tzdata=2025b-0+deb12u1',
      });
    }
    return version === undefined ? { name } : { name, version };
  });
}

/**
 * Pins that did not take effect: apt may satisfy `name=version` with another
 * version when a dependency pulls one in first, so the result is checked.
 */
export function unmetPins(requests: readonly PackageRequest[], installed: readonly InstalledPackage[]): string[] {
  const byName = new Map(installed.map((p) => [p.name, p.version]));
  return requests
    .filter((r) => r.version !== undefined && byName.get(r.name) !== r.version)
    .map((r) => `${r.name}=${r.version} (installed: ${byName.get(r.name) ?? 'none'})`);
}
