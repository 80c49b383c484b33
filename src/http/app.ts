import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ReadinessReport } from '../broker/readiness.js';
import { errorBody } from '../contract/errors.js';
import { registerHealthRoutes } from './routes/health.js';

export interface AppDeps {
  logger: Logger;
  readiness: () => Promise<ReadinessReport>;
}

/** Builds the HTTP app without listening, so tests drive it in-process with inject(). */
export function createApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: 64 * 1024,
    // Request logs come from the audit log and our own hooks, never fastify's defaults.
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('cache-control', 'no-store');
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody('not_found', request.id)));
  // Anything unexpected: log it with the request id, tell the client only the id.
  app.setErrorHandler((error, request, reply) => {
    const { message, code } = error as { message?: string; code?: string };
    request.log.error({ err: { message, code } }, 'unhandled error');
    reply.code(500).send(errorBody('internal_error', request.id));
  });
  registerHealthRoutes(app, deps);
  return app;
}
