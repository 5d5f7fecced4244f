import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Credentials {
  url: string;
  token: string;
}

/** Where `slipway login` keeps the server and token: $XDG_CONFIG_HOME/slipway/credentials.json, mode 0600. */
export function credentialsFile(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'slipway', 'credentials.json');
}

export function readSaved(env: NodeJS.ProcessEnv): Partial<Credentials> | undefined {
  return readJson(credentialsFile(env)) as Partial<Credentials> | undefined;
}

export async function saveCredentials(env: NodeJS.ProcessEnv, c: Credentials): Promise<string> {
  const { writeFileAtomic } = await import('../lib/index.js'); // only `login` writes
  const file = credentialsFile(env);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileAtomic(file, `${JSON.stringify(c, null, 2)}\n`, 0o600);
  chmodSync(file, 0o600);
  return file;
}

export function removeCredentials(env: NodeJS.ProcessEnv): boolean {
  const file = credentialsFile(env);
  const had = existsSync(file);
  rmSync(file, { force: true });
  return had;
}

/** On the server machine itself: the running server's address and the admin token, when readable. */
export function readLocalServer(env: NodeJS.ProcessEnv): Partial<Credentials> | undefined {
  const home = env.SLIPWAY_HOME || path.join(os.homedir(), '.slipway');
  const info = readJson(path.join(home, 'server.json')) as { api?: string } | undefined;
  if (!info?.api) return undefined;
  let token: string | undefined;
  try {
    token = readFileSync(path.join(home, 'admin-token'), 'utf8').trim();
  } catch {
    token = undefined; // not readable by this user: fall through to other sources
  }
  return { url: info.api, token };
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
