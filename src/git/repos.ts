import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveInside, run } from '../lib/index.js';

/** The hooks directory shipped in the source tree (tsc does not copy it to dist/). */
export const HOOKS_DIR = fileURLToPath(new URL('../../../src/git/hooks/', import.meta.url));
/** The compiled hook program the pre-receive script runs. */
export const HOOK_JS = fileURLToPath(new URL('./hook.js', import.meta.url));

export function repoPath(home: string, app: string): string {
  return resolveInside(home, 'repos', `${app}.git`);
}

/**
 * Creates the app's bare repository on first use (not at apps:create, which
 * stays a single SQLite transaction). Pushes may be forced; deleting the
 * deploy branch is refused by the hook.
 */
export async function ensureRepo(home: string, app: string): Promise<string> {
  const dir = repoPath(home, app);
  if (existsSync(path.join(dir, 'HEAD'))) return dir;
  await run(['git', 'init', '--quiet', '--bare', '--initial-branch=main', dir]);
  const set = (k: string, v: string): Promise<unknown> => run(['git', '--git-dir', dir, 'config', k, v]);
  await set('http.receivepack', 'true');
  await set('receive.denyNonFastForwards', 'false');
  await set('core.hooksPath', HOOKS_DIR);
  await set('gc.auto', '0');
  return dir;
}
