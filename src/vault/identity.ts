import type { VaultCall } from './client.js';
import * as s from './schemas.js';

export type EntityLookup = { id: string } | { name: string } | { alias_name: string; alias_mount_accessor: string };

/** identity/* endpoints. The broker never calls them; they serve tests and operators. */
export class IdentityApi {
  constructor(private readonly call: VaultCall) {}

  /** identity/lookup/entity answers 204 (no body) when nothing matches. */
  async lookupEntity(query: EntityLookup): Promise<s.Entity | undefined> {
    const body = await this.call({ method: 'POST', path: 'identity/lookup/entity', body: query, schema: s.anyResponse });
    if (!body || typeof body !== 'object' || !('data' in body) || !body.data) return undefined;
    return s.entity.parse(body.data);
  }

  /** The seed's `write identity/entity`: kept so tests can prove who may not do it. */
  async createEntity(body: { name: string; metadata?: Record<string, string>; policies?: string[] }): Promise<void> {
    await this.call({ method: 'POST', path: 'identity/entity', body, schema: s.anyResponse });
  }

  async readEntity(id: string): Promise<s.Entity | undefined> {
    const body = await this.call({
      method: 'GET',
      path: `identity/entity/id/${encodeURIComponent(id)}`,
      schema: s.dataOf(s.entity),
      notFoundIsUndefined: true,
    });
    return body?.data;
  }

  /** IDs of all entities (empty when there are none: OpenBao answers 404). */
  async listEntityIds(): Promise<string[]> {
    const body = await this.call({ method: 'LIST', path: 'identity/entity/id', schema: s.dataOf(s.keyList), notFoundIsUndefined: true });
    return body?.data.keys ?? [];
  }

  /** Every entity alias with its name and entity (empty when there are none). */
  async listEntityAliases(): Promise<{ id: string; name: string; entityId: string }[]> {
    const body = await this.call({ method: 'LIST', path: 'identity/entity-alias/id', schema: s.dataOf(s.aliasList), notFoundIsUndefined: true });
    if (!body) return [];
    return Object.entries(body.data.key_info).map(([id, info]) => ({ id, name: info.name, entityId: info.canonical_id }));
  }
}
