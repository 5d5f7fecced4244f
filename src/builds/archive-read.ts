import { createReadStream } from 'node:fs';
import tar, { type Header } from 'tar-stream';
import { SlipwayError } from '../lib/index.js';

/** An entry's data: iterate it for the bytes, or resume() to skip them. */
export interface EntryBody extends AsyncIterable<unknown> {
  resume(): unknown;
}

export type EntryHandler = (header: Header, body: EntryBody) => Promise<void>;

/**
 * Reads an uncompressed tar file entry by entry. The handler must consume or
 * resume each body before returning; the next header is parsed only then, so
 * memory stays flat whatever the archive holds.
 */
export async function forEachEntry(file: string, onEntry: EntryHandler): Promise<void> {
  const extract = tar.extract();
  const source = createReadStream(file);
  source.on('error', (err) => extract.destroy(err));
  source.pipe(extract);
  try {
    for await (const entry of extract) {
      await onEntry(entry.header, entry);
    }
  } catch (err) {
    throw asArchiveError(err);
  } finally {
    // pipe() does not close the source when the parser stops early.
    source.destroy();
  }
}

/** Parser errors from tar-stream are plain Errors; system errors (ENOENT, EIO) carry a code and pass through. */
function asArchiveError(err: unknown): unknown {
  if (err instanceof SlipwayError) return err;
  if (err instanceof Error && !('code' in err)) {
    return new SlipwayError('E_ARCHIVE_INVALID', `archive is not a valid tar file: ${err.message}`, {
      hint: 'upload an uncompressed or gzip-compressed tar (`slipway deploy ./dir` makes one)',
      cause: err,
    });
  }
  return err;
}
