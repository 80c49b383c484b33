import type { FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CATALOG, errorBody, type ErrorCode } from '../contract/errors.js';

/** Sends the contract's error body with the catalog's status, and Retry-After when given. */
export function replyError(
  request: FastifyRequest,
  reply: FastifyReply,
  code: ErrorCode,
  options: { message?: string; details?: unknown; retryAfterSeconds?: number } = {},
): FastifyReply {
  if (options.retryAfterSeconds !== undefined) reply.header('retry-after', String(options.retryAfterSeconds));
  return reply.code(ERROR_CATALOG[code].status).send(errorBody(code, request.id, options.message, options.details));
}
