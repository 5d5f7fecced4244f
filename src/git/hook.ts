// The pre-receive program. git-receive-pack runs it with the pushed refs on
// stdin while the new objects are still in quarantine; it streams `git
// archive` of the deploy commit to the daemon's build endpoint and prints the
// build log, which the pusher sees as `remote:` lines. Exit 0 accepts the
// push; anything else rejects it and leaves the ref where it was.
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
// lib/ndjson directly, not lib/index: this program starts on every push, so it loads only what it uses
import { readNdjson } from '../lib/ndjson.js';
import { pickDeploy, type RefUpdate } from './refs.js';

async function readUpdates(): Promise<RefUpdate[]> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [oldSha = '', newSha = '', ref = ''] = l.split(' ');
      return { oldSha, newSha, ref };
    });
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<number> {
  const { deploy, refusal } = pickDeploy(await readUpdates());
  if (refusal) {
    say(` !     ${refusal}`);
    return 1;
  }
  if (!deploy) return 0;
  const app = process.env.SLIPWAY_GIT_APP ?? '';
  const url = `${process.env.SLIPWAY_HOOK_URL}/v1/apps/${encodeURIComponent(app)}/builds?source=git&commit=${deploy.newSha}`;
  const archive = spawn('git', ['archive', '--format=tar', deploy.newSha], { stdio: ['ignore', 'pipe', 'inherit'] });
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${process.env.SLIPWAY_HOOK_TOKEN}`, 'content-type': 'application/x-tar' },
    body: Readable.toWeb(archive.stdout) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  return printBuildStream(res);
}

/** Prints the daemon's NDJSON build stream; exit 0 only when it ends with a success. */
async function printBuildStream(res: Response): Promise<number> {
  if (!res.body) return 1;
  let ok = false;
  for await (const value of readNdjson(res.body as AsyncIterable<Uint8Array>)) {
    const msg = value as { log?: string; result?: { status: string }; error?: { message: string; hint?: string } };
    if (msg.log !== undefined) say(msg.log);
    if (msg.result?.status === 'succeeded') ok = true;
    if (msg.error && !res.ok) say(` !     ${msg.error.message}${msg.error.hint ? `\n !     ${msg.error.hint}` : ''}`);
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    say(` !     Slipway could not run the build: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
