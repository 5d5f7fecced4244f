import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { SlipwayError } from '../lib/index.js';

type Chunks = AsyncIterator<string | Buffer>;

function tooLarge(maxBytes: number): SlipwayError {
  return new SlipwayError('E_ARCHIVE_TOO_LARGE', `upload is larger than ${maxBytes} bytes (uncompressed)`, {
    hint: 'leave build output and dependencies out of the upload (.gitignore is respected), or raise the limit',
  });
}

/**
 * Writes a request body to `file` (created new, 0600) and returns the bytes
 * written. A gzip body (magic 1f 8b) is gunzipped on the way, and maxBytes
 * applies to what arrives and to what it inflates to: a small gzip bomb is
 * refused after maxBytes of output, not after filling the disk.
 */
export async function receiveUpload(body: NodeJS.ReadableStream, file: string, maxBytes: number): Promise<number> {
  const input = body[Symbol.asyncIterator]();
  const sink = createWriteStream(file, { flags: 'wx', mode: 0o600 });
  try {
    // Wait for the open so an existing file (EEXIST) fails here, before it is ours to delete.
    await once(sink, 'open');
  } catch (err) {
    destroyBody(body);
    throw err;
  }
  let written = 0;
  try {
    const head = await readHead(input, 2);
    const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
    const source = Readable.from(replay(head, input, maxBytes));
    const count = async function* (chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
      for await (const chunk of chunks) {
        written += chunk.length;
        if (written > maxBytes) throw tooLarge(maxBytes);
        yield chunk;
      }
    };
    if (gzip) await pipeline(source, createGunzip(), count, sink);
    else await pipeline(source, count, sink);
    return written;
  } catch (err) {
    destroyBody(body);
    await closeStream(sink);
    await rm(file, { force: true });
    throw asUploadError(err);
  }
}

/** Pulls chunks until n bytes are known (or the body ends) so the format can be sniffed. */
async function readHead(input: Chunks, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let len = 0;
  while (len < n) {
    const next = await input.next();
    if (next.done) break;
    const buf = toBuffer(next.value);
    parts.push(buf);
    len += buf.length;
  }
  return Buffer.concat(parts);
}

/** The sniffed head, then the rest of the body, counting raw bytes against the limit. */
async function* replay(head: Buffer, input: Chunks, maxBytes: number): AsyncGenerator<Buffer> {
  let raw = head.length;
  if (raw > maxBytes) throw tooLarge(maxBytes);
  if (raw > 0) yield head;
  try {
    for (let next = await input.next(); !next.done; next = await input.next()) {
      const buf = toBuffer(next.value);
      raw += buf.length;
      if (raw > maxBytes) throw tooLarge(maxBytes);
      yield buf;
    }
  } finally {
    // Stops the body when we stop early (limit, bad gzip, disk error).
    await input.return?.();
  }
}

/** Waits for the file to be closed. Only 'close' is awaited: the pipeline may re-emit its error here. */
async function closeStream(s: WriteStream): Promise<void> {
  if (s.closed) return;
  const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
  s.destroy();
  await closed;
}

function toBuffer(chunk: string | Buffer): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}

function destroyBody(body: NodeJS.ReadableStream): void {
  const d = (body as Partial<Readable>).destroy;
  if (typeof d === 'function') d.call(body);
}

/** zlib errors mean the client sent a broken gzip: the archive's fault, not ours. */
function asUploadError(err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new SlipwayError('E_ARCHIVE_INVALID', `upload is not valid gzip: ${(err as Error).message}`, {
      hint: 'upload an uncompressed or gzip-compressed tar (`slipway deploy ./dir` makes one)',
      cause: err,
    });
  }
  return err;
}
