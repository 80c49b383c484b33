import { z } from 'zod';
import type { VaultCall } from './client.js';
import * as s from './schemas.js';

/** auth/approle/* endpoints (mount path configurable, "approle" by default). */
export class AppRoleApi {
  constructor(private readonly call: VaultCall) {}

  async readRole(role: string, mount = 'approle'): Promise<s.AppRoleRole | undefined> {
    const body = await this.call({
      method: 'GET',
      path: `auth/${mount}/role/${encodeURIComponent(role)}`,
      schema: s.dataOf(s.appRoleRole),
      notFoundIsUndefined: true,
    });
    return body?.data;
  }

  async writeRole(role: string, config: Record<string, unknown>, mount = 'approle'): Promise<void> {
    await this.call({ method: 'POST', path: `auth/${mount}/role/${encodeURIComponent(role)}`, body: config, schema: s.anyResponse });
  }

  async readRoleId(role: string, mount = 'approle'): Promise<string> {
    const body = await this.call({
      method: 'GET',
      path: `auth/${mount}/role/${encodeURIComponent(role)}/role-id`,
      schema: s.dataOf(z.object({ role_id: z.string() })),
    });
    return body.data.role_id;
  }

  async generateSecretId(role: string, mount = 'approle'): Promise<{ secretId: string; accessor: string }> {
    const body = await this.call({
      method: 'POST',
      path: `auth/${mount}/role/${encodeURIComponent(role)}/secret-id`,
      body: {},
      schema: s.dataOf(z.object({ secret_id: z.string(), secret_id_accessor: z.string() })),
    });
    return { secretId: body.data.secret_id, accessor: body.data.secret_id_accessor };
  }

  /** Accessors of the role's live secret_ids (empty when there are none). */
  async listSecretIdAccessors(role: string, mount = 'approle'): Promise<string[]> {
    const body = await this.call({
      method: 'LIST',
      path: `auth/${mount}/role/${encodeURIComponent(role)}/secret-id`,
      schema: s.dataOf(s.keyList),
      notFoundIsUndefined: true,
    });
    return body?.data.keys ?? [];
  }

  async destroySecretIdByAccessor(role: string, accessor: string, mount = 'approle'): Promise<void> {
    await this.call({
      method: 'POST',
      path: `auth/${mount}/role/${encodeURIComponent(role)}/secret-id-accessor/destroy`,
      body: { secret_id_accessor: accessor },
      schema: s.anyResponse,
    });
  }

  async login(roleId: string, secretId: string, mount = 'approle'): Promise<s.AuthBlock> {
    const body = await this.call({
      method: 'POST',
      path: `auth/${mount}/login`,
      body: { role_id: roleId, secret_id: secretId },
      schema: s.authResponse,
    });
    return body.auth;
  }
}
