import { APP, CLIENT, TTL } from '../lib/environment.js';
import { field, requestJson } from '../lib/http.js';
import type { BenchPath } from './types.js';

/**
 * What OpenBao alone does for the same result: the one call behind the broker, made
 * directly with the broker's own AppRole token (same rights, same body, no HTTP hop).
 */
export function floorPath(): BenchPath {
  let token = '';
  return {
    name: 'floor',
    summary: `POST auth/token/create/${APP}-user with entity_alias, straight to OpenBao with the broker's AppRole token`,
    calls: [`POST /v1/auth/token/create/${APP}-user {entity_alias, ttl, meta}`],
    async setup({ env }) {
      token = env.brokerToken;
      return { origin: env.bao.addr };
    },
    async send(pool, user) {
      const answer = await requestJson(pool, {
        path: `/v1/auth/token/create/${APP}-user`,
        headers: { 'x-vault-token': token },
        body: { entity_alias: `${APP}:${user}`, ttl: TTL, meta: { application: APP, client_id: CLIENT, user_identifier: user, created_by: 'identity-broker' } },
        status: 200,
      });
      field(answer, 'auth.entity_id');
    },
  };
}
