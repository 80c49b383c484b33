import type { FastifyInstance } from 'fastify';
import { buildOpenApiDocument } from '../openapi.js';

/** GET /openapi.json, built once from the request-validating schemas. */
export function registerOpenApiRoute(app: FastifyInstance, version: string): void {
  const document = buildOpenApiDocument(version);
  app.get('/openapi.json', async () => document);
}
