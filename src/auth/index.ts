/** Users, scoped tokens, per-app access, the one scope decision (`AuthService.check`) and the audit log. */
export { AuthService, hashToken, newToken, parseUserName, parseDuration, type AuthDeps } from './service.js';
export { authorize, effectiveRole, parseScope, atLeast, SCOPES, type Scope, type Principal, type Need } from './scopes.js';
export type { TokenRow, UserRow, AccessRow, AuditRow } from '../state/index.js';
