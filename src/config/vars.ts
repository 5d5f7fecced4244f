import { SlipwayError } from '../lib/index.js';

/** At most 256 characters: a key names a file in the build's ENV_DIR (a 10 KB key failed every later build with ENAMETOOLONG). */
export const MAX_KEY_LENGTH = 256;
export const CONFIG_KEY_RULE = /^[A-Za-z_][A-Za-z0-9_]{0,255}$/;
export const MAX_VALUE_BYTES = 32 * 1024;
export const MAX_APP_CONFIG_BYTES = 64 * 1024;

/** Set by the platform for every instance; a config var must not shadow them. */
const PLATFORM_KEYS = /^(PORT|SLIPWAY_.*)$/;

export type ConfigVars = Record<string, string>;
/** A change: a string sets the key, null removes it. */
export type ConfigPatch = Record<string, string | null>;

/**
 * Checks a patch from a user. Messages name keys and sizes but never values:
 * config vars are secrets and error messages end up in logs.
 */
export function parseConfigPatch(input: unknown): ConfigPatch {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new SlipwayError('E_VALIDATION', 'config must be a JSON object of KEY: "value" (or null to unset)');
  }
  const entries = Object.entries(input);
  if (entries.length === 0) {
    throw new SlipwayError('E_VALIDATION', 'no config vars given', { hint: 'slipway config:set -a APP KEY=value' });
  }
  const patch: ConfigPatch = {};
  for (const [key, value] of entries) {
    checkKey(key);
    if (value === null) {
      patch[key] = null;
      continue;
    }
    if (typeof value !== 'string') {
      throw new SlipwayError('E_VALIDATION', `config var ${key}: value must be a string (or null to unset)`);
    }
    checkValue(key, value);
    patch[key] = value;
  }
  return patch;
}

function checkKey(key: string): void {
  const shown = key.length > 64 ? `${key.slice(0, 64)}…` : key;
  if (key.length > MAX_KEY_LENGTH) {
    throw new SlipwayError('E_CONFIG_KEY_INVALID', `config key ${JSON.stringify(shown)} is ${key.length} characters; the limit is ${MAX_KEY_LENGTH} (rule: [A-Za-z_][A-Za-z0-9_]{0,255})`, {
      hint: 'use a shorter name, e.g. DATABASE_URL',
    });
  }
  if (!CONFIG_KEY_RULE.test(key)) {
    throw new SlipwayError('E_CONFIG_KEY_INVALID', `invalid config key ${JSON.stringify(shown)}: use letters, digits and underscores, not starting with a digit`, {
      hint: 'for example: DATABASE_URL',
    });
  }
  if (PLATFORM_KEYS.test(key)) {
    throw new SlipwayError('E_CONFIG_KEY_INVALID', `config key ${key} is set by the platform for each instance and cannot be changed`);
  }
}

function checkValue(key: string, value: string): void {
  if (!value.isWellFormed()) {
    throw new SlipwayError('E_VALIDATION', `config var ${key}: value is not valid UTF-8 (it holds a lone surrogate)`);
  }
  if (value.includes('\0')) {
    throw new SlipwayError('E_VALIDATION', `config var ${key}: value contains a NUL byte, which no environment variable can hold`);
  }
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_VALUE_BYTES) {
    throw new SlipwayError('E_CONFIG_TOO_LARGE', `config var ${key}: value is ${bytes} bytes; the limit is ${MAX_VALUE_BYTES} bytes per value`, {
      hint: 'store large data in a file or a database and put its location in the config var',
    });
  }
}

/** Applies a patch, enforcing the per-app total (keys + values, in UTF-8 bytes). */
export function applyConfigPatch(current: ConfigVars, patch: ConfigPatch): ConfigVars {
  const next: ConfigVars = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete next[k];
    else next[k] = v;
  }
  const total = Object.entries(next).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (total > MAX_APP_CONFIG_BYTES) {
    throw new SlipwayError('E_CONFIG_TOO_LARGE', `config would be ${total} bytes; the limit is ${MAX_APP_CONFIG_BYTES} bytes per app (keys and values)`, {
      hint: 'unset config vars you no longer need',
    });
  }
  return next;
}

/** Heroku's release description: "Set A, B config vars", "Remove C config vars", or both. */
export function describeConfigChange(current: ConfigVars, patch: ConfigPatch): string {
  const set = Object.keys(patch).filter((k) => patch[k] !== null);
  const removed = Object.keys(patch).filter((k) => patch[k] === null && k in current);
  const parts: string[] = [];
  if (set.length) parts.push(`Set ${set.join(', ')}`);
  if (removed.length) parts.push(`${parts.length ? 'remove' : 'Remove'} ${removed.join(', ')}`);
  return parts.length ? `${parts.join(' and ')} config vars` : '';
}
