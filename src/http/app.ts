import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { IssueEntityDeps } from '../broker/issue-entity.js';
import type { ReadinessReport } from '../broker/readiness.js';
import type { ErrorCode } from '../contract/errors.js';
import { replyError } from './reply-error.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerOpenApiRoute } from './routes/openapi-json.js';
import { registerEntitiesRoute } from './routes/v1-entities.js';

export interface AppDeps {
  logger: Logger;
  readiness: () => Promise<ReadinessReport>;
  entities: IssueEntityDeps;
  version?: string;
  /** Addresses/CIDRs of reverse proxies whose X-Forwarded-For is believed. */
  trustProxy?: string[];
}

/** Request bodies are small JSON objects; anything bigger is refused before parsing. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/** Builds the HTTP app without listening, so tests drive it in-process with inject(). */
export function createApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: BODY_LIMIT_BYTES,
    // Only trusted proxies may set the client address that throttling and audit use.
    trustProxy: deps.trustProxy?.length ? deps.trustProxy : false,
    // Request logs come from the audit log and our own hooks, never fastify's defaults.
    logController: new LogController({ disableRequestLogging: true }),
  });
  // JSON only: without the text/plain parser, any other media type is a 415.
  app.removeContentTypeParser('text/plain');
  // JSON is UTF-8 (RFC 8259); a body declared in another charset would be misread.
  app.addHook('onRequest', async (request, reply) => {
    const charset = /;\s*charset=("?)([^";]+)\1/i.exec(request.headers['content-type'] ?? '')?.[2];
    if (charset && charset.toLowerCase() !== 'utf-8') {
      auditRejectedBody(deps, request, 'unsupported_media_type', `charset ${charset.slice(0, 32)}`);
      return replyError(request, reply, 'unsupported_media_type');
    }
    return undefined;
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('cache-control', 'no-store');
  });
  app.setNotFoundHandler((request, reply) => replyError(request, reply, 'not_found'));
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const code = clientErrorCode(error);
    if (code) {
      auditRejectedBody(deps, request, code, error.code ?? 'body rejected');
      return replyError(request, reply, code, code === 'invalid_request' ? { message: 'The request body is not valid JSON.' } : {});
    }
    // Unexpected: log it with the request id; the client learns only the id.
    request.log.error({ err: { message: error.message, code: error.code } }, 'unhandled error');
    return replyError(request, reply, 'internal_error');
  });
  registerHealthRoutes(app, deps);
  registerOpenApiRoute(app, deps.version ?? '0.0.0');
  registerEntitiesRoute(app, deps.entities);
  return app;
}

/** Fastify's own body errors (size, media type, JSON syntax) are client mistakes. */
function clientErrorCode(error: FastifyError): ErrorCode | undefined {
  if (error.statusCode === 413) return 'payload_too_large';
  if (error.statusCode === 415) return 'unsupported_media_type';
  if (error.statusCode === 400) return 'invalid_request';
  return undefined;
}

function auditRejectedBody(deps: AppDeps, request: FastifyRequest, code: ErrorCode, why: string): void {
  if (!request.url.startsWith('/v1/')) return;
  deps.entities.audit.record({
    request_id: request.id,
    source_address: request.ip,
    outcome: 'invalid_request',
    reason: `${code}: ${why}`,
    latency_ms: 0,
  });
}
