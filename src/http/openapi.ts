import { z } from 'zod';
import { createEntityRequest, createEntityResponse, fieldProblem } from '../contract/entities.js';
import { ERROR_CATALOG } from '../contract/errors.js';

const errorSchema = z.object({
  error: z.object({
    code: z.enum(Object.keys(ERROR_CATALOG) as [keyof typeof ERROR_CATALOG]),
    message: z.string(),
    request_id: z.string(),
    details: z.array(fieldProblem).optional(),
  }),
});

function errorResponse(description: string) {
  return { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
}

/** OpenAPI 3.1 document built from the same zod schemas that validate requests. */
export function buildOpenApiDocument(version: string): Record<string, unknown> {
  const json = (schema: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return {
    openapi: '3.1.0',
    info: { title: 'identity-broker', version, description: 'Least-privilege identity broker for OpenBao.' },
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'Client API key (ibk.<client_id>.<secret>)' } },
      schemas: {
        CreateEntityRequest: json(createEntityRequest, 'input'),
        CreateEntityResponse: json(createEntityResponse, 'output'),
        Error: json(errorSchema, 'output'),
      },
    },
    paths: {
      '/v1/entities': {
        post: {
          operationId: 'createEntity',
          summary: 'Issue an isolated identity and a short-lived user token',
          security: [{ apiKey: [] }],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateEntityRequest' } } } },
          responses: {
            '201': { description: 'Issued', content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateEntityResponse' } } } },
            '400': errorResponse('invalid_request'),
            '401': errorResponse('unauthenticated'),
            '403': errorResponse('application_not_authorized or client_mismatch'),
            '413': errorResponse('payload_too_large'),
            '415': errorResponse('unsupported_media_type'),
            '429': errorResponse('rate_limited (see Retry-After)'),
            '503': errorResponse('upstream_unavailable (see Retry-After)'),
          },
        },
      },
      '/healthz': { get: { summary: 'Process alive', responses: { '200': { description: 'alive' } } } },
      '/readyz': { get: { summary: 'OpenBao reachable and broker token valid', responses: { '200': { description: 'ready' }, '503': { description: 'not ready' } } } },
      '/openapi.json': { get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1' } } } },
    },
  };
}
