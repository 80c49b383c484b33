import { generateApiKey, hashApiKey } from '../../src/broker/api-keys.js';
import { ClientAuthenticator } from '../../src/broker/client-auth.js';
import { AuthFailureThrottle, ClientRateLimiter } from '../../src/broker/rate-limits.js';
import type { UserTokenIssuer } from '../../src/broker/user-token-issuer.js';
import { parseConfig } from '../../src/config.js';
import { createApp, type AppDeps } from '../../src/http/app.js';
import { createMemoryAuditLog } from '../../src/observability/audit-log.js';
import { createLogger } from '../../src/observability/logger.js';

/** An in-memory issuer (our own port), optionally slow so requests are in flight for a while. */
export function memoryIssuer(delayMs = 0): UserTokenIssuer {
  return {
    async revoke() {},
    async issue(request) {
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      return { entityId: `e-${request.entityAlias}`, token: 't', accessor: 'a', policies: ['chatbot-user'], ttlSeconds: 60, numUses: 1 };
    },
  };
}

/** The HTTP app over in-memory ports: for HTTP behaviour only, never for security claims about OpenBao. */
export function inProcessApp(options: { issuer?: UserTokenIssuer; trustProxy?: string[] } = {}) {
  const key = generateApiKey('c-one');
  const config = parseConfig(
    { openbao: { addr: 'http://127.0.0.1:1' }, applications: { chatbot: {} }, clients: { 'c-one': { api_key_hash: hashApiKey(key), applications: ['chatbot'] } } },
    { env: {} },
  );
  const audit = createMemoryAuditLog();
  const deps: AppDeps = {
    logger: createLogger({ level: 'silent' }),
    readiness: async () => ({ ready: true, checks: { openbao: 'ok', broker_token: 'ok' } }),
    ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
    entities: {
      applications: config.applications,
      clients: new ClientAuthenticator(config),
      authFailures: new AuthFailureThrottle(),
      rateLimiter: new ClientRateLimiter(),
      issuer: options.issuer ?? memoryIssuer(),
      audit,
    },
  };
  return { app: createApp(deps), key, audit };
}
