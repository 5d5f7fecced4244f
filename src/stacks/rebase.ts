import { layersOf, replaceBaseLayers, type BlobStore, type Image } from '../images/index.js';
import { SlipwayError } from '../lib/index.js';
import type { Stack, StackCache } from './cache.js';

/** Labels an image built on a stack carries; rebase reads them. */
export const STACK_LABEL = 'io.slipway.stack.id';
export const STACK_ABI_LABEL = 'io.slipway.stack.abi';
/** A buildpack that compiled against the stack's libraries in a way a new stack breaks sets this to `false` (as CNB's io.buildpacks.rebasable). */
export const REBASABLE_LABEL = 'io.slipway.rebasable';
export const REBASABLE_REASON_LABEL = 'io.slipway.rebasable.reason';

/** The labels for an image whose bottom layers are stack's. */
export function stackLabels(stack: Stack): Record<string, string> {
  return { [STACK_LABEL]: stack.id, [STACK_ABI_LABEL]: stack.abi };
}

/** Copies (hard-links) a stack's layers into a home's store, so images there can refer to them. */
export async function adoptStack(store: BlobStore, cache: StackCache, stack: Stack): Promise<void> {
  for (const l of stack.layers) await store.adoptFrom(cache.store, l.digest);
}

/**
 * A new image: `to`'s layers in place of the stack the image was built on,
 * the app's layers byte for byte. Refused when the image is not on a known
 * stack, its bottom layers are not that stack's, the ABI differs, or the
 * image says it must be rebuilt instead.
 */
export async function rebaseImage(store: BlobStore, cache: StackCache, image: Image, to: Stack): Promise<Image> {
  const labels = image.config.config?.Labels ?? {};
  const fromId = labels[STACK_LABEL];
  if (fromId === undefined) {
    throw new SlipwayError('E_STACK_INCOMPATIBLE', 'this release was not built on a stack (host-bound); it cannot be rebased', { hint: 'deploy it again (git push) to build it on a stack' });
  }
  const from = cache.get(fromId);
  if (labels[REBASABLE_LABEL] === 'false') {
    throw new SlipwayError('E_STACK_INCOMPATIBLE', `the release must be rebuilt for a new stack: ${labels[REBASABLE_REASON_LABEL] ?? 'its buildpack said so'}`, { hint: 'deploy it again (git push) instead of rebasing' });
  }
  if (from.abi !== to.abi) {
    throw new SlipwayError('E_STACK_INCOMPATIBLE', `stack ${to.id} has ABI ${to.abi}, the release was built for ${from.abi}; its native code may not load`, { hint: 'deploy it again (git push) to build it on the new stack' });
  }
  const layers = layersOf(image);
  const n = from.layers.length;
  if (layers.length < n || from.layers.some((l, i) => layers[i]?.diffId !== l.diffId)) {
    throw new SlipwayError('E_STACK_INCOMPATIBLE', `the release's bottom layers are not those of stack ${from.id}`, { hint: 'deploy it again (git push)' });
  }
  await adoptStack(store, cache, to);
  return replaceBaseLayers(store, image, { oldBaseCount: n, newBase: to.layers, labels: stackLabels(to) });
}
