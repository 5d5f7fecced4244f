/**
 * The OCI store: content-addressed blobs, layers made from directories or tar
 * streams, image configs and manifests, rebasing (new base layers under
 * unchanged app layers), export to an archive `docker load` accepts, import,
 * registry push and garbage collection. Nothing here knows of apps or stacks.
 */
export { BlobStore, type BlobInfo } from './blob-store.js';
export { parseDigest, isDigest, digestOf, type Digest } from './digest.js';
export { layerFromDirectory, layerFromTar, LAYER_MEDIA_TYPE, type Layer, type DirectoryLayerOptions } from './layer.js';
export { writeImage, readImage, layersOf, replaceBaseLayers, blobsOf, type Image, type ImageSpec, type ImageConfig, type Manifest } from './image.js';
export { exportImage, importImage } from './archive.js';
export { pushImage, parseImageReference, type ImageReference, type PushOptions, type PushResult } from './registry-push.js';
export { collectGarbage, type GcResult } from './gc.js';
export { UnpackedLayers } from './unpacked.js';
