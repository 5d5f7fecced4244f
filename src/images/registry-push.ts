import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { SlipwayError } from '../lib/index.js';
import type { BlobStore } from './blob-store.js';
import type { Digest } from './digest.js';
import { MANIFEST_MEDIA_TYPE, readImage } from './image.js';

/** REGISTRY/NAME:TAG split as Docker reads it. */
export interface ImageReference {
  registry: string;
  repository: string;
  tag: string;
}

export interface PushOptions {
  /** Plain HTTP instead of HTTPS (a registry on loopback or a private network). */
  insecure?: boolean;
  credentials?: { username: string; password: string };
}

export interface PushResult {
  digest: Digest;
  blobsUploaded: number;
  blobsSkipped: number;
  /** Body bytes sent: blobs uploaded plus the manifest. */
  bytesUploaded: number;
}

const NAME_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const NAME_RE = new RegExp(`^${NAME_COMPONENT}(?:/${NAME_COMPONENT})*$`);
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const REGISTRY_RE = /^(?:[A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])(?::[0-9]{1,5})?$/;

/** `localhost:5000/team/app:v3` → registry, repository, tag. The registry part is required (no implied Docker Hub). */
export function parseImageReference(input: string): ImageReference {
  const bad = (why: string) =>
    new SlipwayError('E_VALIDATION', `image reference ${JSON.stringify(input)}: ${why}`, { hint: 'write REGISTRY/NAME:TAG, e.g. localhost:5000/hello:v3' });
  const slash = input.indexOf('/');
  if (slash <= 0) throw bad('it names no registry');
  const registry = input.slice(0, slash);
  if (!REGISTRY_RE.test(registry)) throw bad(`${registry} is not a host[:port]`);
  const rest = input.slice(slash + 1);
  const colon = rest.lastIndexOf(':');
  const repository = colon === -1 ? rest : rest.slice(0, colon);
  const tag = colon === -1 ? 'latest' : rest.slice(colon + 1);
  if (!NAME_RE.test(repository)) throw bad(`${repository} is not a repository name (lowercase letters, digits, separators)`);
  if (!TAG_RE.test(tag)) throw bad(`${tag} is not a tag`);
  return { registry, repository, tag };
}

/**
 * Pushes an image with the OCI distribution API: each blob is uploaded only
 * when the registry lacks it (HEAD first), the manifest last, so a push cut
 * off half-way leaves no tag pointing at missing blobs, and a rebased image
 * costs a config and a manifest.
 */
export async function pushImage(store: BlobStore, digest: Digest, ref: ImageReference, opts: PushOptions = {}): Promise<PushResult> {
  const image = readImage(store, digest);
  const client = new RegistryClient(ref, opts);
  await client.ping();
  const result: PushResult = { digest, blobsUploaded: 0, blobsSkipped: 0, bytesUploaded: 0 };
  for (const d of [image.configDigest, ...image.manifest.layers.map((l) => l.digest)]) {
    if (await client.hasBlob(d)) {
      result.blobsSkipped++;
      continue;
    }
    const size = store.stat(d).size;
    await client.uploadBlob(d, size, () => createReadStream(store.pathOf(d)));
    result.blobsUploaded++;
    result.bytesUploaded += size;
  }
  const manifest = store.read(digest);
  await client.putManifest(ref.tag, manifest);
  result.bytesUploaded += manifest.length;
  return result;
}

class RegistryClient {
  private readonly base: string;
  private auth: string | undefined;

  constructor(
    private readonly ref: ImageReference,
    private readonly opts: PushOptions,
  ) {
    this.base = `${opts.insecure ? 'http' : 'https'}://${ref.registry}`;
  }

  /** GET /v2/: proves this is a registry and settles authentication once. */
  async ping(): Promise<void> {
    const res = await this.request('GET', '/v2/', {});
    await res.body?.cancel();
    if (res.status === 404) throw this.failure(res.status, 'has no /v2/ API: it is not an OCI registry');
    if (!res.ok) throw this.failure(res.status, await errorText(res));
  }

  async hasBlob(d: Digest): Promise<boolean> {
    const res = await this.request('HEAD', `/v2/${this.ref.repository}/blobs/${d}`, {});
    await res.body?.cancel();
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw this.failure(res.status, `checking blob ${d}`);
  }

  async uploadBlob(d: Digest, size: number, open: () => Readable): Promise<void> {
    const start = await this.request('POST', `/v2/${this.ref.repository}/blobs/uploads/`, {});
    const location = start.headers.get('location');
    await start.body?.cancel();
    if (start.status !== 202 || location === null) throw this.failure(start.status, `starting the upload of ${d}`);
    const url = new URL(location, this.base);
    url.searchParams.set('digest', d);
    const res = await this.request('PUT', url.toString(), {
      body: Readable.toWeb(open()) as ReadableStream,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
    });
    if (res.status !== 201) throw this.failure(res.status, `uploading ${d}: ${await errorText(res)}`);
    await res.body?.cancel();
  }

  async putManifest(tag: string, manifest: Buffer): Promise<void> {
    const res = await this.request('PUT', `/v2/${this.ref.repository}/manifests/${tag}`, {
      body: manifest,
      headers: { 'content-type': MANIFEST_MEDIA_TYPE },
    });
    if (res.status !== 201) throw this.failure(res.status, `storing the manifest: ${await errorText(res)}`);
    await res.body?.cancel();
  }

  private async request(method: string, pathOrUrl: string, init: { body?: Buffer | ReadableStream; headers?: Record<string, string> }): Promise<Response> {
    const url = pathOrUrl.startsWith('/') ? `${this.base}${pathOrUrl}` : pathOrUrl;
    const send = () =>
      fetch(url, {
        method,
        headers: { ...(init.headers ?? {}), ...(this.auth ? { authorization: this.auth } : {}) },
        ...(init.body === undefined ? {} : { body: init.body, duplex: 'half' }),
        redirect: 'follow',
      } as RequestInit);
    let res: Response;
    try {
      res = await send();
      if (res.status === 401 && this.auth === undefined && init.body === undefined) {
        await res.body?.cancel();
        this.auth = await this.authenticate(res.headers.get('www-authenticate'));
        res = await send();
      }
    } catch (err) {
      if (err instanceof SlipwayError) throw err;
      throw new SlipwayError('E_REGISTRY_UNREACHABLE', `registry ${this.ref.registry} cannot be reached: ${causeText(err)}`, {
        hint: this.opts.insecure ? 'check the address and that the registry runs' : 'check the address; a registry without TLS needs --insecure',
        cause: err,
      });
    }
    return res;
  }

  /** Basic, or the Bearer token dance of the distribution spec, with the given credentials. */
  private async authenticate(challenge: string | null): Promise<string> {
    const creds = this.opts.credentials;
    if (!creds) throw this.failure(401, 'asks for credentials and none were given');
    const basic = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    if (challenge === null || /^basic/i.test(challenge)) return basic;
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (!/^bearer/i.test(challenge) || !params.realm) throw this.failure(401, `asks for an unsupported authentication: ${challenge}`);
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', `repository:${this.ref.repository}:pull,push`);
    const res = await fetch(url, { headers: { authorization: basic } });
    const body = (await res.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!res.ok || !token) throw this.failure(401, 'refused the credentials');
    return `Bearer ${token}`;
  }

  private failure(status: number, what: string): SlipwayError {
    const where = `registry ${this.ref.registry} (${this.ref.repository})`;
    if (status === 401 || status === 403) {
      return new SlipwayError('E_REGISTRY_UNAUTHORIZED', `${where} refused the push (${status}): ${what}`, {
        hint: 'give credentials that may push to this repository',
      });
    }
    if (status === 404) return new SlipwayError('E_REGISTRY_NOT_FOUND', `${where} answered 404: ${what}`, { hint: 'check the registry address and repository name' });
    return new SlipwayError('E_REGISTRY_REFUSED', `${where} answered ${status}: ${what}`, { hint: 'see the registry\'s log; the push can be repeated safely' });
  }
}

async function errorText(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const errs = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] }).errors ?? [];
    if (errs.length) return errs.map((e) => `${e.code ?? ''} ${e.message ?? ''}`.trim()).join('; ');
  } catch {
    // not the registry's JSON error body: show the start of what came
  }
  return text.slice(0, 200) || res.statusText;
}

function causeText(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}
