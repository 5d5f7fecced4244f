import { isSlipwayError, type ErrorCode } from '../lib/index.js';

/** The one place where an error code becomes an HTTP status. */
const STATUS: Record<ErrorCode, number> = {
  E_BAD_REQUEST: 400,
  E_VALIDATION: 422,
  E_UNAUTHORIZED: 401,
  E_FORBIDDEN: 403,
  E_CONFLICT: 409,
  E_CSRF_REJECTED: 403,
  E_CERT_INVALID: 422,
  E_NOT_FOUND: 404,
  E_APP_NOT_FOUND: 404,
  E_APP_EXISTS: 409,
  E_APP_NAME_INVALID: 422,
  E_APP_NAME_RESERVED: 422,
  E_CONFIG_KEY_INVALID: 422,
  E_CONFIG_TOO_LARGE: 422,
  E_BODY_TOO_LARGE: 413,
  E_UNSUPPORTED_MEDIA_TYPE: 415,
  E_SERVER_RUNNING: 409,
  E_SETTINGS_INVALID: 400,
  E_PROCFILE_INVALID: 422,
  E_APP_JSON_INVALID: 422,
  E_MANIFEST_INVALID: 422,
  E_NO_BUILDPACK: 422,
  E_BUILDPACK_INVALID: 422,
  E_BUILD_FAILED: 422,
  E_BUILD_TIMEOUT: 422,
  E_BUILD_SUPERSEDED: 409,
  E_BUILD_NOT_FOUND: 404,
  E_ARCHIVE_INVALID: 422,
  E_ARCHIVE_TOO_LARGE: 413,
  E_BRANCH_REFUSED: 422,
  E_RELEASE_NOT_FOUND: 404,
  E_SANDBOX_UNAVAILABLE: 500,
  E_ROUTER_UNAVAILABLE: 500,
  E_DEPLOY_FAILED: 422,
  E_IMAGE_INVALID: 422,
  E_BLOB_NOT_FOUND: 404,
  E_REGISTRY_UNREACHABLE: 502,
  E_REGISTRY_UNAUTHORIZED: 502,
  E_REGISTRY_NOT_FOUND: 502,
  E_REGISTRY_REFUSED: 502,
  E_STACK_NOT_FOUND: 404,
  E_STACK_BUILD_FAILED: 422,
  E_STACK_PACKAGE_NOT_FOUND: 422,
  E_STACK_PIN_IGNORED: 422,
  E_STACK_INCOMPATIBLE: 409,
  E_STATE: 500,
  E_INTERNAL: 500,
};

export interface ErrorBody {
  error: { code: ErrorCode; message: string; hint?: string };
}

/** Fastify's own transport errors (bad JSON, body too large) keep their meaning under our codes. */
const FASTIFY: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'E_BODY_TOO_LARGE', message: 'request body is larger than the limit' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'E_BAD_REQUEST', message: 'request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'E_BAD_REQUEST', message: 'request body is empty but Content-Type says JSON' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'E_UNSUPPORTED_MEDIA_TYPE', message: 'send JSON with Content-Type: application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'E_BAD_REQUEST', message: 'Content-Length does not match the body' },
};

export function toHttpError(err: unknown): { status: number; body: ErrorBody } {
  if (isSlipwayError(err)) {
    const body: ErrorBody = { error: { code: err.code, message: err.message } };
    if (err.hint) body.error.hint = err.hint;
    return { status: STATUS[err.code], body };
  }
  const fcode = (err as { code?: unknown }).code;
  if (typeof fcode === 'string' && FASTIFY[fcode]) {
    const e = FASTIFY[fcode];
    return { status: STATUS[e.code], body: { error: { code: e.code, message: e.message } } };
  }
  if (err instanceof SyntaxError) {
    return { status: 400, body: { error: { code: 'E_BAD_REQUEST', message: 'request body is not valid JSON' } } };
  }
  return { status: 500, body: { error: { code: 'E_INTERNAL', message: 'internal error; see the server log' } } };
}

export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}
