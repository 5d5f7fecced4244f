import net from 'node:net';
import { freePort } from '../lib/index.js';

/**
 * Picks free loopback ports for instances. The kernel chooses (listen on 0),
 * and ports handed out recently are not handed out again for a while, so two
 * instances starting at once never get the same one.
 */
export class PortAllocator {
  private readonly recent = new Map<number, number>();

  async next(): Promise<number> {
    for (let i = 0; i < 20; i++) {
      const port = await freePort();
      const now = Date.now();
      for (const [p, t] of this.recent) if (now - t > 60_000) this.recent.delete(p);
      if (this.recent.has(port)) continue;
      this.recent.set(port, now);
      return port;
    }
    throw new Error('no free port found after 20 tries');
  }
}


/** Resolves true once something accepts TCP connections on the port. */
export function accepts(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}
