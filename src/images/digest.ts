import { createHash } from 'node:crypto';
import { SlipwayError } from '../lib/index.js';

/** A content digest as OCI writes it: `sha256:` and 64 lowercase hex digits. */
export type Digest = `sha256:${string}`;

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

/** The only way a string read from outside (a manifest, an archive, a URL) becomes a Digest. */
export function parseDigest(input: unknown, where = 'digest'): Digest {
  if (typeof input !== 'string' || !DIGEST_RE.test(input)) {
    throw new SlipwayError('E_IMAGE_INVALID', `${where}: ${JSON.stringify(input)} is not a sha256 digest`, {
      hint: 'digests look like sha256: followed by 64 lowercase hex digits',
    });
  }
  return input as Digest;
}

export function isDigest(input: unknown): input is Digest {
  return typeof input === 'string' && DIGEST_RE.test(input);
}

export function digestOf(data: string | Buffer): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The hex part, safe to use as a file name (checked by parseDigest). */
export function hexOf(digest: Digest): string {
  return digest.slice('sha256:'.length);
}
