import { createHash } from 'node:crypto';
import { realpathSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SlipwayError } from '../lib/index.js';

/**
 * One server per home. The lock is a Linux abstract Unix socket named after
 * the home's real path: the kernel frees it when the process dies, even by
 * SIGKILL, so there is never a stale lock to clean up.
 */
export async function lockHome(home: string): Promise<net.Server> {
  const id = createHash('sha256').update(realpathSync(home)).digest('hex').slice(0, 32);
  const server = net.createServer((c) => c.destroy());
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(`\0slipway-${id}`, () => resolve());
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    const pid = runningPid(home);
    throw new SlipwayError('E_SERVER_RUNNING', `another slipway server${pid ? ` (pid ${pid})` : ''} is already running on ${home}`, {
      hint: 'stop it first, or start this one with another --home',
    });
  }
  server.unref();
  return server;
}

function runningPid(home: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(home, 'server.json'), 'utf8')) as { pid?: number }).pid;
  } catch {
    return undefined; // the other server may not have written it yet
  }
}
