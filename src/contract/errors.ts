/**
 * The error-code catalog of the HTTP API. Every error body is
 * {"error":{"code","message","request_id"}}; codes are stable, documented in docs/errors.md.
 */
export const ERROR_CATALOG = {
  invalid_request: { status: 400, message: 'The request is invalid; see details.' },
  unauthenticated: { status: 401, message: 'A valid API key is required (Authorization: Bearer <key>).' },
  client_mismatch: { status: 403, message: 'client_id does not match the authenticated client.' },
  application_not_authorized: { status: 403, message: 'This client may not issue identities for that application.' },
  not_found: { status: 404, message: 'No such resource.' },
  method_not_allowed: { status: 405, message: 'Method not allowed on this resource.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: { status: 415, message: 'Only application/json is accepted.' },
  rate_limited: { status: 429, message: 'Rate limit exceeded; retry after the time in Retry-After.' },
  internal_error: { status: 500, message: 'Internal error; the request_id identifies it in the broker log.' },
  upstream_unavailable: { status: 503, message: 'OpenBao is unavailable; retry after the time in Retry-After.' },
  not_ready: { status: 503, message: 'The broker is not ready.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; request_id: string; details?: unknown };
}

export function errorBody(code: ErrorCode, requestId: string, message?: string, details?: unknown): ErrorBody {
  return {
    error: { code, message: message ?? ERROR_CATALOG[code].message, request_id: requestId, ...(details === undefined ? {} : { details }) },
  };
}
