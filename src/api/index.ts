/** The HTTP API under /v1/: parse → validate → call a service → serialize. Every route needs the token. */
export { buildApi, BODY_LIMIT } from './server.js';
export type { ApiDeps } from './deps.js';
export { toHttpError, statusOf } from './error-map.js';
export type { AppJson, ReleaseJson, ConfigPatchJson, ServerJson, ErrorJson } from './schemas.js';
/** Dashboard sessions: made from a token, standing for it; CSRF-checked changes. */
export { Sessions, type SessionRecords, type Principal } from './session.js';
