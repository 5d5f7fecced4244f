import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync, chownSync } from 'node:fs';
import path from 'node:path';
import { passwdFor, resolveInside, run } from '../lib/index.js';

/** Where one build's files live while it runs; the app dir becomes the release dir on success. */
export interface Workspace {
  root: string;
  app: string;
  env: string;
  buildpacks: string;
  /** The app's build cache while the build runs (moved in from `keptCache`, moved back after). */
  cache: string;
  keptCache: string;
  passwd: string;
  group: string;
  archive: string;
}

export function workspaceFor(home: string, app: string, buildId: string): Workspace {
  const root = resolveInside(home, 'builds', app, buildId);
  return {
    root,
    app: path.join(root, 'app'),
    env: path.join(root, 'env'),
    buildpacks: path.join(root, 'buildpacks'),
    cache: path.join(root, 'cache'),
    keptCache: resolveInside(home, 'cache', app),
    passwd: path.join(root, 'passwd'),
    group: path.join(root, 'group'),
    archive: path.join(root, 'source.tar'),
  };
}

export function createWorkspace(ws: Workspace): void {
  for (const d of [ws.app, ws.env, ws.buildpacks]) mkdirSync(d, { recursive: true, mode: 0o755 });
}

/**
 * The cache moves into the workspace for the build (a rename: free), so that
 * the build dir and the cache are one mount in the sandbox and buildpacks can
 * restore node_modules by hardlink (64 ms) instead of copying (666 ms).
 * Only one build per app runs at a time, so only one holds the cache.
 */
export function takeCache(ws: Workspace): void {
  if (existsSync(ws.keptCache)) renameSync(ws.keptCache, ws.cache);
  else mkdirSync(ws.cache, { recursive: true, mode: 0o755 });
}

export function returnCache(ws: Workspace): void {
  if (!existsSync(ws.cache)) return;
  mkdirSync(path.dirname(ws.keptCache), { recursive: true });
  rmSync(ws.keptCache, { recursive: true, force: true });
  renameSync(ws.cache, ws.keptCache);
}

export function removeWorkspace(ws: Workspace): void {
  returnCache(ws);
  rmSync(ws.root, { recursive: true, force: true });
}

export const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * Hands the tree to the app's user. Config values go to ENV_DIR as one file
 * per key (Heroku's contract), readable by that user only.
 */
export async function prepareForUser(ws: Workspace, appName: string, uid: number, config: Record<string, string>): Promise<void> {
  for (const [k, v] of Object.entries(config)) writeFileSync(path.join(ws.env, k), v, { mode: 0o400 });
  const user = `app-${appName}`.slice(0, 32);
  const pw = passwdFor(user, uid, uid, '/app');
  writeFileSync(ws.passwd, pw.passwd, { mode: 0o644 });
  writeFileSync(ws.group, pw.group, { mode: 0o644 });
  if (!isRoot()) return;
  await run(['chown', '-R', `${uid}:${uid}`, ws.app, ws.env, ws.cache, ws.buildpacks]);
  chownSync(ws.env, uid, uid);
}
