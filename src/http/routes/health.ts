import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app.js';

/** GET /healthz: the process is alive. GET /readyz: OpenBao reachable and our token valid. */
export function registerHealthRoutes(app: FastifyInstance, deps: Pick<AppDeps, 'readiness'>): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const report = await deps.readiness();
    reply.code(report.ready ? 200 : 503);
    return { status: report.ready ? 'ready' : 'not_ready', checks: report.checks };
  });
}
