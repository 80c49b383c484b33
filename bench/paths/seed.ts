import { APP, TTL } from '../lib/environment.js';
import { field, requestJson } from '../lib/http.js';
import type { BenchPath } from './types.js';

/** The role that stands in for the seed's `entity_id=` (see docs/performance.md, "seed path"). */
export const SEED_ROLE = `bench-seed-${APP}`;

/**
 * The seed's IdentityService.create_user_entity with its admin (here: root) token:
 * write identity/entity, write the per-user ACL policy `user-<id>-<app>`, then a token with
 * that policy bound to that entity. OpenBao's auth/token/create has no `entity_id`
 * parameter and takes `entity_alias` only through a token role, so the binding is an
 * alias on the token mount pointing at the seed's entity, used by a role that allows
 * exactly the seed's per-user policies.
 */
export function seedPath(): BenchPath {
  let headers: Record<string, string> = {};
  let mountAccessor = '';
  return {
    name: 'seed',
    summary: 'the seed flow with the root token: entity, per-user ACL policy, alias on the token mount, token with that policy for that entity',
    calls: [
      'POST /v1/identity/entity {name, metadata}',
      'PUT /v1/sys/policies/acl/user-<id>-chatbot {policy}',
      'POST /v1/identity/entity-alias {name, canonical_id, mount_accessor: token/}',
      `POST /v1/auth/token/create/${SEED_ROLE} {policies: [user-<id>-chatbot], entity_alias, ttl, renewable: false, num_uses: 500, meta}`,
    ],
    async setup({ env }) {
      headers = { 'x-vault-token': env.bao.rootToken };
      mountAccessor = env.tokenMountAccessor;
      // Not orphan, renewable or use-limited by the role: the seed sets those per request.
      await env.admin.token.writeRole(SEED_ROLE, {
        allowed_policies_glob: [`user-*-${APP}`],
        allowed_entity_aliases: [`${APP}:*`],
      });
      return { origin: env.bao.addr };
    },
    async send(pool, user) {
      const name = `user-${user}-${APP}`;
      const entity = await requestJson(pool, {
        path: '/v1/identity/entity',
        headers,
        body: { name, metadata: { application: APP, user_identifier: user, created_by: 'identity_service' } },
        status: 200,
      });
      const entityId = field(entity, 'data.id');
      await requestJson(pool, { method: 'PUT', path: `/v1/sys/policies/acl/${name}`, headers, body: { policy: seedUserPolicy(entityId) }, status: 204 });
      await requestJson(pool, {
        path: '/v1/identity/entity-alias',
        headers,
        body: { name: `${APP}:${user}`, canonical_id: entityId, mount_accessor: mountAccessor },
        status: 200,
      });
      const token = await requestJson(pool, {
        path: `/v1/auth/token/create/${SEED_ROLE}`,
        headers,
        body: {
          policies: [name],
          entity_alias: `${APP}:${user}`,
          ttl: TTL,
          renewable: false,
          num_uses: 500,
          meta: { application: APP, created_by: 'identity_service', user_identifier: user },
        },
        status: 200,
      });
      if (field(token, 'auth.entity_id') !== entityId) throw new Error('seed token is not bound to the entity it created');
    },
  };
}

/** The seed's `policy_templates['chatbot']`, with the entity id filled in as the seed does. */
function seedUserPolicy(entityId: string): string {
  return `
                # Database access for this specific user only
                path "database/creds/${APP}-users" {
                  capabilities = ["read"]
                }

                # Identity token generation for this entity only
                path "identity/oidc/token/${APP}-users" {
                  capabilities = ["read"]
                }

                # Entity metadata access (own entity only)
                path "identity/entity/id/${entityId}" {
                  capabilities = ["read", "update"]
                }

                # Token self-operations
                path "auth/token/lookup-self" {
                  capabilities = ["read"]
                }

                path "auth/token/renew-self" {
                  capabilities = ["update"]
                }

                path "auth/token/revoke-self" {
                  capabilities = ["update"]
                }

                # DENY access to other entities and admin operations
                path "identity/entity/id/*" {
                  capabilities = ["deny"]
                }

                path "identity/entity" {
                  capabilities = ["deny"]
                }

                path "sys/*" {
                  capabilities = ["deny"]
                }

                path "auth/token/create" {
                  capabilities = ["deny"]
                }
            `;
}
