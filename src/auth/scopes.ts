import { SlipwayError } from '../lib/index.js';

/**
 * What a token may do: `read` (GET), `deploy` (push, deploy, rollback,
 * config, scale, restart, run), `admin` (everything). Each includes the ones
 * before it.
 */
export type Scope = 'read' | 'deploy' | 'admin';
export const SCOPES: readonly Scope[] = ['read', 'deploy', 'admin'];

const RANK: Record<Scope, number> = { read: 1, deploy: 2, admin: 3 };

export function parseScope(input: unknown, what = 'scope'): Scope {
  if (typeof input === 'string' && (SCOPES as readonly string[]).includes(input)) return input as Scope;
  throw new SlipwayError('E_VALIDATION', `${what}: must be one of ${SCOPES.join(', ')}`);
}

export const atLeast = (have: Scope, need: Scope): boolean => RANK[have] >= RANK[need];
export const lowest = (a: Scope, b: Scope): Scope => (RANK[a] <= RANK[b] ? a : b);

/**
 * Who is calling, as the API sees it: a token and the user it belongs to.
 * `admin` users may do everything on every app (capped by the token's scope);
 * others only what `access` grants them per app. A token made for one app
 * (`app`) sees no other app at all.
 */
export interface Principal {
  user: string;
  userId: number;
  /** The user is a platform admin. */
  admin: boolean;
  tokenId: number | null;
  scope: Scope;
  /** The one app this token is limited to, if any. */
  app: string | null;
  /** Internal callers (git's pre-receive hook) are not audited as a user. */
  internal?: boolean;
}

/** What a route needs: a scope, and whether it acts on one app (its name). */
export interface Need {
  scope: Scope;
  app?: string;
}

/**
 * The one decision: may this principal do that? An app the caller cannot see
 * answers like a missing app (404, so names do not leak); an app it can see
 * but without enough scope answers 403.
 */
export function authorize(p: Principal, need: Need, roleOn: (app: string) => Scope | undefined): void {
  if (need.app === undefined) {
    // platform-wide routes: reads for everyone, the rest for admins with an unrestricted admin token
    if (need.scope === 'read') return;
    if (p.admin && p.app === null && atLeast(p.scope, need.scope)) return;
    throw forbidden(p, need);
  }
  const role = effectiveRole(p, need.app, roleOn);
  if (!role) throw new SlipwayError('E_APP_NOT_FOUND', `app ${need.app} not found`, { hint: 'run `slipway apps` to list apps' });
  if (!atLeast(role, need.scope)) throw forbidden(p, need);
}

/** The scope this principal has on an app, or undefined when it may not see it. */
export function effectiveRole(p: Principal, app: string, roleOn: (app: string) => Scope | undefined): Scope | undefined {
  if (p.app !== null && p.app !== app) return undefined;
  const role = p.admin ? 'admin' : roleOn(app);
  return role && lowest(role, p.scope);
}

function forbidden(p: Principal, need: Need): SlipwayError {
  const where = need.app ? ` on ${need.app}` : '';
  return new SlipwayError('E_FORBIDDEN', `this token (user ${p.user}, scope ${p.scope}) may not do this: it needs ${need.scope}${where}`, {
    hint: need.app ? `ask an admin for a ${need.scope} token or \`slipway access:add -a ${need.app} ${p.user} --role ${need.scope}\`` : 'ask an admin of this server',
  });
}
