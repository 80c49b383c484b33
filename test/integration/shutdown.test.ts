import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateApiKey, hashApiKey } from '../../src/broker/api-keys.js';
import { ClientAuthenticator } from '../../src/broker/client-auth.js';
import { AuthFailureThrottle, ClientRateLimiter } from '../../src/broker/rate-limits.js';
import type { UserTokenIssuer } from '../../src/broker/user-token-issuer.js';
import { parseConfig } from '../../src/config.js';
import { createApp } from '../../src/http/app.js';
import { createMemoryAuditLog } from '../../src/observability/audit-log.js';
import { createLogger } from '../../src/observability/logger.js';

/** Our own issuer port, slowed down so a request is surely in flight during close(). */
const slowIssuer: UserTokenIssuer = {
  async revoke() {},
  async issue(request) {
    await new Promise((r) => setTimeout(r, 400));
    return { entityId: `e-${request.entityAlias}`, token: 't', accessor: 'a', policies: ['chatbot-user'], ttlSeconds: 60, numUses: 1 };
  },
};

describe('graceful shutdown', () => {
  it('drains an in-flight request before closing, then refuses new connections', async () => {
    const key = generateApiKey('c-one');
    const config = parseConfig(
      { openbao: { addr: 'http://127.0.0.1:1' }, applications: { chatbot: {} }, clients: { 'c-one': { api_key_hash: hashApiKey(key), applications: ['chatbot'] } } },
      { env: {} },
    );
    const app = createApp({
      logger: createLogger({ level: 'silent' }),
      readiness: async () => ({ ready: true, checks: { openbao: 'ok', broker_token: 'ok' } }),
      entities: {
        applications: config.applications,
        clients: new ClientAuthenticator(config),
        authFailures: new AuthFailureThrottle(),
        rateLimiter: new ClientRateLimiter(),
        issuer: slowIssuer,
        audit: createMemoryAuditLog(),
      },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    const inFlight = fetch(`http://127.0.0.1:${port}/v1/entities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, connection: 'close' },
      body: JSON.stringify({ application: 'chatbot', user_identifier: 'draining' }),
    });
    await new Promise((r) => setTimeout(r, 100));
    const closing = app.close();
    const res = await inFlight;
    assert.equal(res.status, 201);
    assert.equal((await res.json()).entity_id, 'e-chatbot:draining');
    await closing;
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`));
  });
});
