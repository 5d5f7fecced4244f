import { lstatSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { parseAppJson, parseProcfile, type AppManifest, type ProcessTypes } from '../procfile/index.js';
import { SlipwayError } from '../lib/index.js';

export interface Manifests {
  procfile: ProcessTypes | undefined;
  appJson: AppManifest | undefined;
  /** app.json's warnings (keys Slipway does not use), for the build log. */
  warnings: string[];
  /** package.json's `engines.node`, when it is a string (the nodejs buildpack reports a malformed package.json). */
  enginesNode: string | undefined;
}

const MAX_MANIFEST_BYTES = 1024 * 1024;

/**
 * Reads Procfile and app.json before any buildpack runs, so a malformed file
 * fails the push in the first second. A manifest committed as a symlink must
 * stay inside the tree: the daemon reads it, and must never be made to read
 * a host file for the app.
 */
export function readManifests(appDir: string): Manifests {
  const procfile = readInside(appDir, 'Procfile');
  const appJson = readInside(appDir, 'app.json');
  const packageJson = readInside(appDir, 'package.json');
  const parsed = appJson === undefined ? undefined : parseAppJson(appJson);
  return {
    procfile: procfile === undefined ? undefined : parseProcfile(procfile),
    appJson: parsed?.manifest,
    warnings: parsed?.warnings ?? [],
    enginesNode: packageJson === undefined ? undefined : enginesNode(packageJson),
  };
}

function enginesNode(text: string): string | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  const engines = typeof data === 'object' && data !== null ? (data as { engines?: unknown }).engines : undefined;
  const node = typeof engines === 'object' && engines !== null ? (engines as { node?: unknown }).node : undefined;
  return typeof node === 'string' && node.trim() !== '' ? node.trim() : undefined;
}

function checkInside(appDir: string, name: string): string | undefined {
  const p = path.join(appDir, name);
  let st;
  try {
    st = lstatSync(p);
  } catch {
    return undefined;
  }
  if (st.isSymbolicLink()) {
    let real: string;
    try {
      real = realpathSync(p);
    } catch {
      throw new SlipwayError('E_MANIFEST_INVALID', `${name} is a symlink to a file that does not exist`);
    }
    const root = realpathSync(appDir);
    if (!real.startsWith(root + path.sep)) {
      throw new SlipwayError('E_MANIFEST_INVALID', `${name} is a symlink that points outside the app`, { hint: `commit ${name} as a regular file` });
    }
    st = lstatSync(real);
  }
  if (!st.isFile()) throw new SlipwayError('E_MANIFEST_INVALID', `${name} is not a regular file`);
  if (st.size > MAX_MANIFEST_BYTES) throw new SlipwayError('E_MANIFEST_INVALID', `${name} is ${st.size} bytes; the limit is ${MAX_MANIFEST_BYTES}`);
  return p;
}

function readInside(appDir: string, name: string): string | undefined {
  const p = checkInside(appDir, name);
  return p === undefined ? undefined : readFileSync(p, 'utf8');
}
