import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { SlipwayError } from '../lib/index.js';

/** A certificate that passed every check: the chain in order (leaf first) and its key, as PEM. */
export interface CheckedCert {
  chainPem: string;
  keyPem: string;
  /** The app's host names the leaf covers. */
  hosts: string[];
  issuer: string;
  notBefore: string;
  notAfter: string;
}

/** Each PEM input is at most this big: a chain of a few certificates, or one key. */
export const MAX_PEM_BYTES = 64 * 1024;

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END \1-----/g;

function bad(message: string, hint?: string): SlipwayError {
  return new SlipwayError('E_CERT_INVALID', message, { hint: hint ?? 'give the PEM certificate chain (leaf first) and its unencrypted private key' });
}

/** PEM blocks of a text that holds nothing else (whitespace between blocks only). */
export function pemBlocks(text: string, what: string): { label: string; pem: string }[] {
  if (Buffer.byteLength(text) > MAX_PEM_BYTES) throw bad(`${what}: larger than ${MAX_PEM_BYTES / 1024} KiB; a certificate chain or a key is a few KiB`);
  const out: { label: string; pem: string }[] = [];
  let rest = '';
  let last = 0;
  for (const m of text.matchAll(BLOCK)) {
    rest += text.slice(last, m.index);
    last = (m.index ?? 0) + m[0].length;
    out.push({ label: m[1] as string, pem: `${m[0].replace(/\r/g, '')}\n` });
  }
  rest += text.slice(last);
  if (rest.trim()) throw bad(`${what}: has text outside PEM blocks`);
  if (out.length === 0) throw bad(`${what}: no PEM block found`);
  return out;
}

function parseKey(text: string): { key: KeyObject; pem: string } {
  const blocks = pemBlocks(text, 'key');
  if (blocks.length !== 1 || !/^(|RSA |EC )PRIVATE KEY$/.test(blocks[0]!.label)) {
    throw bad(`key: expected one PRIVATE KEY block, found ${blocks.map((b) => b.label).join(', ')}`, 'an encrypted key must be decrypted first: openssl pkey -in key.pem -out plain.pem');
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(blocks[0]!.pem);
  } catch (err) {
    throw bad(`key: cannot be read (${(err as Error).message})`);
  }
  const type = key.asymmetricKeyType;
  if (type === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw bad('key: RSA keys must have at least 2048 bits');
  if (type !== 'rsa' && type !== 'ec') throw bad(`key: ${type} keys are not supported; use an RSA (2048+) or ECDSA key`);
  return { key, pem: key.export({ type: 'pkcs8', format: 'pem' }) as string };
}

/**
 * Checks a certificate someone brings: the chain links up (each issued and
 * signed by the next), the key is the leaf's, it is valid now, and it covers
 * at least one of the app's host names.
 */
export function checkCert(certText: string, keyText: string, appHosts: string[], now = Date.now()): CheckedCert {
  const blocks = pemBlocks(certText, 'certificate');
  const foreign = blocks.find((b) => b.label !== 'CERTIFICATE');
  if (foreign) throw bad(`certificate: unexpected ${foreign.label} block (give the key separately)`);
  if (blocks.length > 10) throw bad('certificate: a chain of more than 10 certificates');
  let chain: X509Certificate[];
  try {
    chain = blocks.map((b) => new X509Certificate(b.pem));
  } catch (err) {
    throw bad(`certificate: cannot be read (${(err as Error).message})`);
  }
  const leaf = chain[0] as X509Certificate;
  for (let i = 0; i + 1 < chain.length; i++) {
    const c = chain[i] as X509Certificate;
    const issuer = chain[i + 1] as X509Certificate;
    if (!c.checkIssued(issuer) || !c.verify(issuer.publicKey)) throw bad(`certificate: chain is broken: certificate ${i + 2} did not issue certificate ${i + 1} (${c.subject.replace(/\n/g, ', ')})`, 'order the chain leaf first, then each issuer');
  }
  const { key, pem: keyPem } = parseKey(keyText);
  if (!leaf.checkPrivateKey(key)) throw bad('key: does not match the certificate', 'give the key the certificate was made for');
  const notBefore = Date.parse(leaf.validFrom);
  const notAfter = Date.parse(leaf.validTo);
  if (notAfter <= now) throw bad(`certificate: expired on ${new Date(notAfter).toISOString()}`, 'renew it, or use certs:auto');
  if (notBefore > now + 5 * 60_000) throw bad(`certificate: not valid before ${new Date(notBefore).toISOString()}`);
  const hosts = appHosts.filter((h) => leaf.checkHost(h) !== undefined);
  if (hosts.length === 0) throw bad(`certificate: covers none of the app's domains (${appHosts.join(', ')}); it is for ${leaf.subjectAltName ?? leaf.subject}`, 'add the domain first with domains:add, or bring a certificate for it');
  return {
    chainPem: blocks.map((b) => b.pem).join(''),
    keyPem,
    hosts,
    issuer: leaf.issuer.split('\n').find((l) => l.startsWith('CN='))?.slice(3) ?? leaf.issuer.replace(/\n/g, ', '),
    notBefore: new Date(notBefore).toISOString(),
    notAfter: new Date(notAfter).toISOString(),
  };
}
