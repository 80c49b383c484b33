import { ERROR_CATALOG, type ErrorCode } from '../contract/errors.js';

/**
 * Errors of the SDK. None of them ever carries an API key or a token: messages name the
 * method, the URL or OpenBao path, the status and the server's own message.
 */

/** The broker answered with an error body; `code` is from the contract catalog (docs/errors.md). */
export class IdentityBrokerError extends Error {
  override readonly name = 'IdentityBrokerError';
  /** `unknown` only when a newer broker sends a code this SDK version does not know. */
  readonly code: ErrorCode | 'unknown';
  readonly status: number;
  readonly method: string;
  readonly url: string;
  readonly requestId: string | undefined;
  readonly details: unknown;
  /** Seconds from Retry-After, when the broker sent one (429, 503). */
  readonly retryAfterSeconds: number | undefined;

  constructor(options: {
    code: string;
    status: number;
    method: string;
    url: string;
    message?: string;
    requestId?: string;
    details?: unknown;
    retryAfterSeconds?: number;
  }) {
    const code = isErrorCode(options.code) ? options.code : 'unknown';
    super(`${options.method} ${options.url} → ${options.status} ${options.code}: ${options.message ?? (code === 'unknown' ? 'error' : ERROR_CATALOG[code].message)}`);
    this.code = code;
    this.status = options.status;
    this.method = options.method;
    this.url = options.url;
    this.requestId = options.requestId;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** The broker could not be reached or did not answer in time: the outcome is unknown. */
export class IdentityBrokerUnavailableError extends Error {
  override readonly name = 'IdentityBrokerUnavailableError';
  constructor(
    readonly reason: 'timeout' | 'network',
    readonly method: string,
    readonly url: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${method} ${url}: ${reason === 'timeout' ? 'timed out' : 'could not be reached'}`, options);
  }
}

/** An answer that does not match the contract: a version mismatch, or a proxy in between. */
export class UnexpectedResponseError extends Error {
  override readonly name = 'UnexpectedResponseError';
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    detail: string,
  ) {
    super(`${method} ${url} → ${status}: ${detail}`);
  }
}

/** OpenBao refused a call made with a user or service token (or could not be reached). */
export class OpenBaoRequestError extends Error {
  override readonly name = 'OpenBaoRequestError';
  constructor(
    readonly method: string,
    readonly path: string,
    /** undefined when OpenBao could not be reached. */
    readonly status: number | undefined,
    readonly errors: readonly string[] = [],
    options: { cause?: unknown } = {},
  ) {
    const what = status === undefined ? 'could not be reached' : `answered ${status}`;
    super(`OpenBao ${method} ${path} ${what}${errors.length ? `: ${errors.join('; ')}` : ''}`, options);
  }
}

/**
 * The session's user token is no longer usable: its TTL passed, its uses are spent, it
 * was revoked, or end() was called. Nothing in the session can succeed again; call
 * `initializeUserSession(context)` for a new one (within the same hour bucket it maps to
 * the same entity, so the user's KV data and operation log carry over).
 */
export class SessionExpiredError extends Error {
  override readonly name = 'SessionExpiredError';
  constructor(
    readonly reason: 'expired' | 'invalid' | 'ended',
    readonly entityId: string,
  ) {
    const why = { expired: 'its token passed its expiry time', invalid: 'OpenBao no longer accepts its token (revoked, expired or uses spent)', ended: 'end() was called' }[reason];
    super(`the user session for entity ${entityId} has ended: ${why}; call initializeUserSession() again`);
  }
}

/** recordOperation lost the check-and-set race more often than its attempt budget allows. */
export class OperationLogConflictError extends Error {
  override readonly name = 'OperationLogConflictError';
  constructor(readonly attempts: number) {
    super(`the operation log changed under ${attempts} consecutive check-and-set attempts; try again later`);
  }
}

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CATALOG, code);
}

/** Type guard for a broker error, optionally of one code: `isIdentityBrokerError(e, 'rate_limited')`. */
export function isIdentityBrokerError(error: unknown, code?: ErrorCode): error is IdentityBrokerError {
  return error instanceof IdentityBrokerError && (code === undefined || error.code === code);
}

export function isSessionExpired(error: unknown): error is SessionExpiredError {
  return error instanceof SessionExpiredError;
}
