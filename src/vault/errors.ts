/**
 * The one error type of the OpenBao client. It carries what an operator needs to act
 * (status, method, path, OpenBao's own `errors[]`) and never the token that was used.
 */
export class VaultError extends Error {
  override readonly name = 'VaultError';
  readonly status: number | undefined;
  readonly method: string;
  readonly path: string;
  readonly errors: readonly string[];
  /** True when the same call may succeed later: network failures, 5xx, 429. */
  readonly retryable: boolean;

  constructor(options: {
    status?: number;
    method: string;
    path: string;
    errors?: readonly string[];
    cause?: unknown;
    detail?: string;
  }) {
    const status = options.status;
    const errors = options.errors ?? [];
    const what = status === undefined ? 'could not be reached' : `answered ${status}`;
    const why = errors.length > 0 ? `: ${errors.join('; ')}` : options.detail ? `: ${options.detail}` : '';
    super(`OpenBao ${options.method} ${options.path} ${what}${why}`, { cause: options.cause });
    this.status = status;
    this.method = options.method;
    this.path = options.path;
    this.errors = errors;
    this.retryable = status === undefined || status >= 500 || status === 429;
  }
}

export function isVaultError(value: unknown): value is VaultError {
  return value instanceof VaultError;
}

/** OpenBao answers 403 "permission denied" for a path the token's policies do not grant. */
export function isPermissionDenied(value: unknown): value is VaultError {
  return isVaultError(value) && value.status === 403;
}
