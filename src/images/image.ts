import { z } from 'zod';
import { SlipwayError } from '../lib/index.js';
import type { BlobStore } from './blob-store.js';
import { parseDigest, type Digest } from './digest.js';
import { LAYER_MEDIA_TYPE, type Layer } from './layer.js';

export const MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const CONFIG_MEDIA_TYPE = 'application/vnd.oci.image.config.v1+json';
export const INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';

/** What a caller says about an image; the store turns it into config + manifest blobs. */
export interface ImageSpec {
  /** Bottom first: stack layers, then runtime layers, then the app layer. */
  layers: readonly Layer[];
  env: Readonly<Record<string, string>>;
  workingDir: string;
  user?: string;
  entrypoint?: readonly string[];
  cmd?: readonly string[];
  labels: Readonly<Record<string, string>>;
  exposedPorts?: readonly number[];
  /** ISO time written as `created`; fixed by the caller so the same inputs give the same digest. */
  created: string;
  /** One line per layer for `docker history`. */
  history?: readonly string[];
}

const descriptorSchema = z.object({
  mediaType: z.string(),
  digest: z.string().transform((d, ctx) => {
    try {
      return parseDigest(d);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not a sha256 digest' });
      return z.NEVER;
    }
  }),
  size: z.number().int().nonnegative(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const manifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.literal(MANIFEST_MEDIA_TYPE).optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  annotations: z.record(z.string(), z.string()).optional(),
});

const configSchema = z.looseObject({
  architecture: z.string(),
  os: z.string(),
  created: z.string().optional(),
  config: z
    .looseObject({
      Env: z.array(z.string()).optional(),
      Entrypoint: z.array(z.string()).nullable().optional(),
      Cmd: z.array(z.string()).nullable().optional(),
      WorkingDir: z.string().optional(),
      User: z.string().optional(),
      Labels: z.record(z.string(), z.string()).nullable().optional(),
      ExposedPorts: z.record(z.string(), z.object({})).optional(),
    })
    .optional(),
  rootfs: z.object({ type: z.literal('layers'), diff_ids: z.array(z.string()) }),
  history: z.array(z.looseObject({})).optional(),
});

export type Descriptor = z.infer<typeof descriptorSchema>;
export type Manifest = z.infer<typeof manifestSchema>;
export type ImageConfig = z.infer<typeof configSchema>;

/** A stored image: its manifest digest is its identity. */
export interface Image {
  digest: Digest;
  manifest: Manifest;
  config: ImageConfig;
  configDigest: Digest;
  /** Bytes of the manifest as stored (what a registry receives). */
  manifestSize: number;
}

/** Writes the config and manifest blobs of spec; the layers must be in the store already. */
export function writeImage(store: BlobStore, spec: ImageSpec): Image {
  for (const l of spec.layers) store.stat(l.digest);
  const config: ImageConfig = {
    architecture: goArch(process.arch),
    os: 'linux',
    created: spec.created,
    config: {
      Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      WorkingDir: spec.workingDir,
      ...(spec.user === undefined ? {} : { User: spec.user }),
      ...(spec.entrypoint === undefined ? {} : { Entrypoint: [...spec.entrypoint] }),
      ...(spec.cmd === undefined ? {} : { Cmd: [...spec.cmd] }),
      Labels: { ...spec.labels },
      ...(spec.exposedPorts?.length ? { ExposedPorts: Object.fromEntries(spec.exposedPorts.map((p) => [`${p}/tcp`, {}])) } : {}),
    },
    rootfs: { type: 'layers', diff_ids: spec.layers.map((l) => l.diffId) },
    history: spec.layers.map((_, i) => ({ created: spec.created, created_by: spec.history?.[i] ?? 'slipway' })),
  };
  return writeManifestFor(store, config, spec.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })));
}

/** Stores config (as given) and a manifest pointing at it and at layers. */
export function writeManifestFor(store: BlobStore, config: ImageConfig, layers: readonly Descriptor[]): Image {
  if (config.rootfs.diff_ids.length !== layers.length) {
    throw new SlipwayError('E_IMAGE_INVALID', `image config lists ${config.rootfs.diff_ids.length} layers, the manifest ${layers.length}`);
  }
  const cfg = store.putBytes(JSON.stringify(config));
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType: MANIFEST_MEDIA_TYPE,
    config: { mediaType: CONFIG_MEDIA_TYPE, digest: cfg.digest, size: cfg.size },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  };
  const m = store.putBytes(JSON.stringify(manifest));
  return { digest: m.digest, manifest, config, configDigest: cfg.digest, manifestSize: m.size };
}

/** Reads and checks an image's manifest and config from the store. */
export function readImage(store: BlobStore, digest: Digest): Image {
  const raw = store.read(digest);
  const manifest = parseJson(manifestSchema, raw, `manifest ${digest}`);
  const config = parseJson(configSchema, store.read(manifest.config.digest), `config ${manifest.config.digest}`);
  if (config.rootfs.diff_ids.length !== manifest.layers.length) {
    throw new SlipwayError('E_IMAGE_INVALID', `image ${digest}: config lists ${config.rootfs.diff_ids.length} layers, the manifest ${manifest.layers.length}`);
  }
  return { digest, manifest, config, configDigest: manifest.config.digest, manifestSize: raw.length };
}

/** The image's layers with their diff ids, bottom first. */
export function layersOf(image: Image): Layer[] {
  return image.manifest.layers.map((d, i) => {
    if (d.mediaType !== LAYER_MEDIA_TYPE) throw new SlipwayError('E_IMAGE_INVALID', `layer ${d.digest} has media type ${d.mediaType}; only ${LAYER_MEDIA_TYPE} is supported`);
    return { mediaType: LAYER_MEDIA_TYPE, digest: d.digest, size: d.size, diffId: parseDigest(image.config.rootfs.diff_ids[i], 'rootfs.diff_ids') };
  });
}

/**
 * A new image whose bottom `oldBaseCount` layers are replaced by newBase and
 * whose other layers (the app's) are kept byte for byte: no layer is read or
 * written, only a new config and manifest (what `pack rebase` does).
 */
export function replaceBaseLayers(store: BlobStore, image: Image, opts: { oldBaseCount: number; newBase: readonly Layer[]; labels?: Record<string, string>; created?: string }): Image {
  const layers = layersOf(image);
  if (opts.oldBaseCount < 0 || opts.oldBaseCount > layers.length) {
    throw new SlipwayError('E_IMAGE_INVALID', `image ${image.digest} has ${layers.length} layers, cannot replace the bottom ${opts.oldBaseCount}`);
  }
  const kept = layers.slice(opts.oldBaseCount);
  const next = [...opts.newBase, ...kept];
  for (const l of opts.newBase) store.stat(l.digest);
  const oldHistory = image.config.history ?? [];
  const created = opts.created ?? image.config.created;
  // History entries as writeImage makes them, so rebasing back gives the very same image (same digest).
  const config: ImageConfig = {
    ...image.config,
    ...(opts.created === undefined ? {} : { created: opts.created }),
    config: { ...image.config.config, Labels: { ...(image.config.config?.Labels ?? {}), ...(opts.labels ?? {}) } },
    rootfs: { type: 'layers', diff_ids: next.map((l) => l.diffId) },
    history: [...opts.newBase.map(() => ({ created, created_by: 'slipway' })), ...oldHistory.slice(oldHistory.length - kept.length)],
  };
  return writeManifestFor(store, config, next);
}

/** Every blob an image needs: manifest, config, layers. */
export function blobsOf(image: Image): Digest[] {
  return [image.digest, image.configDigest, ...image.manifest.layers.map((l) => l.digest)];
}

function parseJson<T>(schema: z.ZodType<T>, raw: Buffer, what: string): T {
  let data: unknown;
  try {
    data = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new SlipwayError('E_IMAGE_INVALID', `${what} is not JSON`, { cause: err });
  }
  const res = schema.safeParse(data);
  if (!res.success) {
    const issue = res.error.issues[0];
    throw new SlipwayError('E_IMAGE_INVALID', `${what}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return res.data;
}

export function parseManifestBytes(raw: Buffer, what: string): Manifest {
  return parseJson(manifestSchema, raw, what);
}

function goArch(arch: string): string {
  return arch === 'x64' ? 'amd64' : arch === 'ia32' ? '386' : arch;
}
