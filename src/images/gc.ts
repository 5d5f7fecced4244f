import type { BlobStore } from './blob-store.js';
import type { Digest } from './digest.js';
import { blobsOf, readImage } from './image.js';

export interface GcResult {
  removed: Digest[];
  bytesFreed: number;
}

/**
 * Removes every blob that no image in `keep` needs. Blobs younger than
 * graceMs are spared: an image being written right now has stored its layers
 * but its release does not refer to it yet.
 */
export function collectGarbage(store: BlobStore, keep: Iterable<Digest>, opts: { graceMs: number; now?: number }): GcResult {
  const live = new Set<Digest>();
  for (const d of keep) {
    if (!store.has(d)) continue; // a release whose image is gone keeps nothing alive; its own check reports it
    for (const b of blobsOf(readImage(store, d))) live.add(b);
  }
  const now = opts.now ?? Date.now();
  const result: GcResult = { removed: [], bytesFreed: 0 };
  for (const d of store.list()) {
    if (live.has(d) || now - store.mtimeMs(d) < opts.graceMs) continue;
    result.bytesFreed += store.stat(d).size;
    store.delete(d);
    result.removed.push(d);
  }
  return result;
}
