import { SlipwayError } from '../lib/index.js';

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * A custom domain is a lowercase DNS name of at least two labels (253 chars
 * at most); it ends up in the router's host table, so nothing else passes.
 * Names under the platform's own domain are refused: APP.DOMAIN already
 * routes, and www.DOMAIN-style names would shadow other apps.
 */
export function parseDomain(input: unknown, platformDomain: string): string {
  if (typeof input !== 'string') throw new SlipwayError('E_VALIDATION', 'domain must be a string');
  const d = input.trim().toLowerCase().replace(/\.$/, '');
  const labels = d.split('.');
  if (d.length > 253 || labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels.at(-1) ?? '')) {
    throw new SlipwayError('E_VALIDATION', `invalid domain ${JSON.stringify(input.slice(0, 80))}: use a DNS name such as www.example.com`, {
      hint: 'letters, digits and dashes in dot-separated labels; no scheme, port, path or wildcard',
    });
  }
  if (d === platformDomain || d.endsWith(`.${platformDomain}`)) {
    throw new SlipwayError('E_VALIDATION', `${d} is under the platform's domain ${platformDomain}; apps get APP.${platformDomain} already`);
  }
  return d;
}
