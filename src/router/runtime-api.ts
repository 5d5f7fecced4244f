// HAProxy's runtime API over its unix sockets: the worker's stats socket for
// changes, the master socket for reloads and for reaching every worker
// (including old ones still finishing requests after a reload).
import net from 'node:net';
import { SlipwayError } from '../lib/index.js';

/**
 * Sends one command line and returns everything HAProxy answers. The write
 * side is half-closed at once: the master CLI of 2.6 otherwise keeps the
 * connection open after answering.
 *
 * Commands to one socket go one at a time: HAProxy's master accepts its CLI
 * connections slowly while it reloads, and a burst of changes (a script
 * creating 300 apps) overflowed its listen backlog (`connect EAGAIN`), failing
 * most creates. A connect that still meets a full backlog is retried.
 */
export function socketCommand(sock: string, line: string, timeoutMs = 5000): Promise<string> {
  const prev = queues.get(sock) ?? Promise.resolve();
  const mine = prev.then(() => sendWithRetry(sock, line, timeoutMs));
  const tail = mine.then(
    () => undefined,
    () => undefined,
  );
  queues.set(sock, tail);
  void tail.then(() => {
    if (queues.get(sock) === tail) queues.delete(sock);
  });
  return mine;
}

const queues = new Map<string, Promise<void>>();

async function sendWithRetry(sock: string, line: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
    try {
      return await sendOnce(sock, line, timeoutMs);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() + delay > deadline) throw err;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

function sendOnce(sock: string, line: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(sock);
    const out: Buffer[] = [];
    const timer = setTimeout(() => c.destroy(new Error(`haproxy socket ${sock}: no answer to "${line.slice(0, 80)}" in ${timeoutMs} ms`)), timeoutMs);
    c.on('data', (b: Buffer) => out.push(b));
    c.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    c.on('close', (hadError) => {
      clearTimeout(timer);
      if (!hadError) resolve(Buffer.concat(out).toString('utf8'));
    });
    c.end(`${line}\n`);
  });
}

// Answers that mean success; anything else a batch prints is an error message
// ("No such server.", "Key not found.", ...). `set server addr` always ends
// with "by 'stats socket command'".
const SUCCESS = /(by 'stats socket command'|^New server registered\.|^Server deleted\.)$/;

/** Lines of a batch answer that are not success messages. */
export function errorLines(out: string): string[] {
  return out.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !SUCCESS.test(l));
}

// The CLI reads one line per connection into one buffer (tune.bufsize), so
// long batches are split over several connections.
const MAX_LINE = 8000;

export function batchLines(cmds: string[]): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const c of cmds) {
    if (/[;\n\r]/.test(c)) throw new Error(`runtime API command contains a separator: ${JSON.stringify(c)}`);
    if (cur && cur.length + c.length + 2 > MAX_LINE) {
      lines.push(cur);
      cur = '';
    }
    cur = cur ? `${cur}; ${c}` : c;
  }
  if (cur) lines.push(cur);
  return lines;
}

/** Runs commands in order (`;`-separated batches); throws E_STATE with HAProxy's words if one fails. */
export async function runCommands(sock: string, cmds: string[]): Promise<void> {
  for (const line of batchLines(cmds)) {
    const bad = errorLines(await socketCommand(sock, line));
    if (bad.length) throw new SlipwayError('E_STATE', `haproxy refused a router change: ${bad.join(' / ')}`, { hint: `command: ${line.slice(0, 300)}` });
  }
}

export interface Workers {
  current: number[];
  old: number[];
  /** Failed reloads so far (the master's "[failed: N]"). */
  failed: number;
}

/** Parses the master's `show proc`: pids under "# workers" and "# old workers". */
export function parseShowProc(out: string): Workers {
  const w: Workers = { current: [], old: [], failed: Number(/\[failed: (\d+)\]/.exec(out)?.[1] ?? 0) };
  let section: 'current' | 'old' | undefined;
  for (const line of out.split('\n')) {
    if (line.startsWith('#')) {
      section = line.startsWith('# workers') ? 'current' : line.startsWith('# old workers') ? 'old' : undefined;
      continue;
    }
    const pid = Number(line.trim().split(/\s+/)[0]);
    if (section && Number.isInteger(pid) && pid > 0) w[section].push(pid);
  }
  return w;
}

export async function showProc(masterSock: string): Promise<Workers> {
  return parseShowProc(await socketCommand(masterSock, 'show proc'));
}

/**
 * Runs commands in one worker through the master (`@!PID` before each),
 * returning HAProxy's error lines rather than throwing: used for old workers,
 * which may lack a new backend or slot, and where that does not matter.
 */
export async function workerCommands(masterSock: string, pid: number, cmds: string[]): Promise<string[]> {
  const bad: string[] = [];
  for (const line of batchLines(cmds.map((c) => `@!${pid} ${c}`))) bad.push(...errorLines(await socketCommand(masterSock, line)));
  return bad;
}

/** Runs a command in one worker through the master (`@!PID`). */
export function workerCommand(masterSock: string, pid: number, line: string): Promise<string> {
  return socketCommand(masterSock, `@!${pid} ${line}`);
}
