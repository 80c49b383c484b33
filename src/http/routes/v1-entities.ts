import type { FastifyInstance } from 'fastify';
import { issueEntity, type IssueEntityDeps } from '../../broker/issue-entity.js';
import { replyError } from '../reply-error.js';

/** POST /v1/entities: an isolated identity and a user token for one end user. */
export function registerEntitiesRoute(app: FastifyInstance, deps: IssueEntityDeps): void {
  app.post('/v1/entities', async (request, reply) => {
    const result = await issueEntity(deps, {
      body: request.body,
      authorization: request.headers.authorization,
      sourceAddress: request.ip,
      requestId: request.id,
    });
    if (result.kind === 'issued') return reply.code(201).send(result.response);
    return replyError(request, reply, result.code, result);
  });
}
