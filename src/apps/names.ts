import { randomInt } from 'node:crypto';
import { SlipwayError } from '../lib/index.js';

/**
 * App names end up in host names, paths under SLIPWAY_HOME, Unix user names
 * and git URLs, so this rule is a security boundary: nothing that fails it may
 * reach the file system or a command line.
 */
export const APP_NAME_RULE = /^[a-z][a-z0-9-]{1,28}[a-z0-9]$/;
export const APP_NAME_RULE_TEXT =
  '3 to 30 characters: lowercase letters, digits and dashes, starting with a letter and not ending with a dash';

/** Names that would collide with the platform's own host names or paths. */
export const RESERVED_APP_NAMES: ReadonlySet<string> = new Set([
  'api', 'git', 'www', 'admin', 'root', 'slipway', 'router', 'proxy', 'localhost', 'static',
  'status', 'metrics', 'dashboard', 'console', 'mail', 'smtp', 'ftp', 'ssh', 'ns1', 'ns2', 'default',
]);

export function parseAppName(input: unknown): string {
  if (typeof input !== 'string') {
    throw new SlipwayError('E_APP_NAME_INVALID', `app name must be a string (${APP_NAME_RULE_TEXT})`);
  }
  if (!APP_NAME_RULE.test(input)) {
    const shown = input.length > 40 ? `${input.slice(0, 40)}…` : input;
    throw new SlipwayError('E_APP_NAME_INVALID', `invalid app name ${JSON.stringify(shown)}: use ${APP_NAME_RULE_TEXT}`, {
      hint: 'for example: slipway apps:create my-app',
    });
  }
  if (RESERVED_APP_NAMES.has(input)) {
    throw new SlipwayError('E_APP_NAME_RESERVED', `app name "${input}" is reserved by the platform`, {
      hint: 'pick another name, e.g. my-' + input,
    });
  }
  return input;
}

const ADJECTIVES = ['quiet', 'brisk', 'amber', 'calm', 'eager', 'fuzzy', 'gentle', 'lively', 'nimble', 'proud', 'rapid', 'sunny', 'tidy', 'witty', 'bold', 'crisp'];
const NOUNS = ['harbor', 'canal', 'dock', 'reef', 'tide', 'anchor', 'keel', 'mast', 'pier', 'buoy', 'cove', 'delta', 'fjord', 'lagoon', 'marina', 'quay'];

/** Heroku-style generated name, e.g. `sunny-harbor-4821`, used when none is given. */
export function generateAppName(): string {
  const pick = (xs: string[]): string => xs[randomInt(xs.length)] as string;
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${randomInt(1000, 10000)}`;
}
