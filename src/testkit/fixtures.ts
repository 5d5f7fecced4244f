import { cpSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../lib/index.js';
import { tempDir, type After } from './temp.js';

/** The repository's fixtures/ directory (apps, buildpacks). */
export const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url));

export const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1',
};

/** An environment without the developer's own Slipway settings or saved login. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SLIPWAY_') && !k.startsWith('NODE_TEST')) env[k] = v;
  return { ...env, ...extra };
}

/** Copies fixtures/apps/NAME into a temp dir and makes it a git repo with one commit on main. */
export async function fixtureRepo(t: After, name: string): Promise<string> {
  const dir = tempDir(t, `app-${name}-`);
  cpSync(path.join(FIXTURES, 'apps', name), dir, { recursive: true });
  const env = cleanEnv(GIT_IDENTITY);
  await run(['git', 'init', '-q', '-b', 'main'], { cwd: dir, env });
  await run(['git', 'add', '-A'], { cwd: dir, env });
  await run(['git', 'commit', '-qm', 'init'], { cwd: dir, env });
  return dir;
}

export async function commitAll(dir: string, message: string): Promise<string> {
  const env = cleanEnv(GIT_IDENTITY);
  await run(['git', 'add', '-A'], { cwd: dir, env });
  await run(['git', 'commit', '-qm', message], { cwd: dir, env });
  return (await run(['git', 'rev-parse', 'HEAD'], { cwd: dir, env })).stdout.trim();
}
