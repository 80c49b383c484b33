import { tokenRoleName } from '../bootstrap/policies.js';
import { isPermissionDenied, type VaultClient } from '../vault/index.js';
import type { VaultSession } from './vault-session.js';

export interface IssueUserToken {
  application: string;
  entityAlias: string;
  ttl: string;
  meta: Record<string, string>;
}

export interface IssuedUserToken {
  entityId: string;
  token: string;
  accessor: string;
  policies: string[];
  ttlSeconds: number;
  numUses: number;
}

/** The one OpenBao call behind POST /v1/entities, as a port the domain can be tested with. */
export interface UserTokenIssuer {
  issue(request: IssueUserToken): Promise<IssuedUserToken>;
  /** Revokes a token the broker issued, by accessor. */
  revoke(accessor: string): Promise<void>;
}

/**
 * auth/token/create/<app>-user with entity_alias: OpenBao creates or fetches the entity
 * for the alias under its own lock, so concurrent requests for one user get one entity.
 */
export class OpenBaoUserTokenIssuer implements UserTokenIssuer {
  constructor(private readonly session: Pick<VaultSession, 'client' | 'login'>) {}

  async issue(request: IssueUserToken): Promise<IssuedUserToken> {
    try {
      return await this.create(this.session.client, request);
    } catch (error) {
      // The broker's token may have been revoked or expired under us: log in once more.
      if (!isPermissionDenied(error)) throw error;
      await this.session.login();
      return this.create(this.session.client, request);
    }
  }

  async revoke(accessor: string): Promise<void> {
    await this.session.client.token.revokeAccessor(accessor);
  }

  private async create(vault: VaultClient, request: IssueUserToken): Promise<IssuedUserToken> {
    const { auth } = await vault.token.createWithRole(tokenRoleName(request.application), {
      entity_alias: request.entityAlias,
      ttl: request.ttl,
      meta: request.meta,
    });
    return {
      entityId: auth.entity_id,
      token: auth.client_token,
      accessor: auth.accessor,
      policies: auth.policies,
      ttlSeconds: auth.lease_duration,
      numUses: auth.num_uses ?? 0,
    };
  }
}
