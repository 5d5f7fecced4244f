import net from 'node:net';

/**
 * A port free on HOST right now: the kernel picks it (listen on 0) and it is
 * let go at once for the caller to bind. Another process can take it in
 * between; callers that hand ports to children keep their own recent-set.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
