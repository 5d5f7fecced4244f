/**
 * Every failure a user can see carries a stable code (listed in docs/errors.md),
 * a message saying what was wrong, and a hint saying what to do next.
 * Domain rooms throw these; only api/error-map.ts turns a code into an HTTP status.
 */
export type ErrorCode =
  | 'E_BAD_REQUEST'
  | 'E_VALIDATION'
  | 'E_UNAUTHORIZED'
  | 'E_FORBIDDEN'
  | 'E_CONFLICT'
  | 'E_CSRF_REJECTED'
  | 'E_CERT_INVALID'
  | 'E_NOT_FOUND'
  | 'E_APP_NOT_FOUND'
  | 'E_APP_EXISTS'
  | 'E_APP_NAME_INVALID'
  | 'E_APP_NAME_RESERVED'
  | 'E_CONFIG_KEY_INVALID'
  | 'E_CONFIG_TOO_LARGE'
  | 'E_BODY_TOO_LARGE'
  | 'E_UNSUPPORTED_MEDIA_TYPE'
  | 'E_SERVER_RUNNING'
  | 'E_SETTINGS_INVALID'
  | 'E_PROCFILE_INVALID'
  | 'E_APP_JSON_INVALID'
  | 'E_MANIFEST_INVALID'
  | 'E_NO_BUILDPACK'
  | 'E_BUILDPACK_INVALID'
  | 'E_BUILD_FAILED'
  | 'E_BUILD_TIMEOUT'
  | 'E_BUILD_SUPERSEDED'
  | 'E_BUILD_NOT_FOUND'
  | 'E_ARCHIVE_INVALID'
  | 'E_ARCHIVE_TOO_LARGE'
  | 'E_BRANCH_REFUSED'
  | 'E_RELEASE_NOT_FOUND'
  | 'E_SANDBOX_UNAVAILABLE'
  | 'E_ROUTER_UNAVAILABLE'
  | 'E_DEPLOY_FAILED'
  | 'E_IMAGE_INVALID'
  | 'E_BLOB_NOT_FOUND'
  | 'E_REGISTRY_UNREACHABLE'
  | 'E_REGISTRY_UNAUTHORIZED'
  | 'E_REGISTRY_NOT_FOUND'
  | 'E_REGISTRY_REFUSED'
  | 'E_STACK_NOT_FOUND'
  | 'E_STACK_BUILD_FAILED'
  | 'E_STACK_PACKAGE_NOT_FOUND'
  | 'E_STACK_PIN_IGNORED'
  | 'E_STACK_INCOMPATIBLE'
  | 'E_STATE'
  | 'E_INTERNAL';

export interface ErrorDetails {
  hint?: string;
  cause?: unknown;
}

export class SlipwayError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'SlipwayError';
    this.code = code;
    this.hint = details.hint;
  }
}

export function isSlipwayError(err: unknown): err is SlipwayError {
  return err instanceof SlipwayError;
}

/** A child process that failed: argv, exit status and the tail of its stderr. */
export class ExecError extends Error {
  readonly argv: readonly string[];
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderrTail: string;

  constructor(opts: { argv: readonly string[]; exitCode: number | null; signal: NodeJS.Signals | null; stderr: string }) {
    const how = opts.signal ? `killed by ${opts.signal}` : `exited with ${opts.exitCode}`;
    const tail = opts.stderr.slice(-2000);
    super(`${opts.argv[0]} ${how}${tail ? `: ${tail.trim()}` : ''}`);
    this.name = 'ExecError';
    this.argv = opts.argv;
    this.exitCode = opts.exitCode;
    this.signal = opts.signal;
    this.stderrTail = tail;
  }
}
