import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run, waitFor } from '../lib/index.js';
import { freePort } from '../lib/net.js';

/** A real registry (Debian's `docker-registry`, distribution 2.8) on 127.0.0.1, for tests and benches. */
export interface TestRegistry {
  /** host:port */
  address: string;
  stop(): Promise<void>;
}

/** Starts `docker-registry serve` in a temp dir; with `user`, htpasswd (bcrypt) authentication is on. */
export async function startTestRegistry(opts: { user?: { username: string; password: string } } = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'slipway-registry-'));
  const port = await freePort();
  const auth = opts.user ? await htpasswd(dir, opts.user) : '';
  const config = path.join(dir, 'config.yml');
  writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`,
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()).slice(-4000));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`docker-registry exited: ${stderr}`);
        const res = await fetch(`http://127.0.0.1:${port}/v2/`).catch(() => undefined);
        await res?.body?.cancel();
        return res !== undefined;
      },
      { timeoutMs: 30_000, what: 'docker-registry to answer' },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { address: `127.0.0.1:${port}`, stop };
}

async function htpasswd(dir: string, user: { username: string; password: string }): Promise<string> {
  // bcrypt is the only hash distribution accepts; Python's crypt module has it through libxcrypt.
  const res = await run(['python3', '-W', 'ignore', '-c', 'import crypt,sys;print(crypt.crypt(sys.stdin.read(), crypt.mksalt(crypt.METHOD_BLOWFISH)))'], {
    input: user.password,
  });
  const file = path.join(dir, 'htpasswd');
  writeFileSync(file, `${user.username}:${res.stdout.trim()}\n`);
  return `auth:\n  htpasswd:\n    realm: test\n    path: ${file}\n`;
}
