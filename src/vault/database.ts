import type { VaultCall } from './client.js';
import * as s from './schemas.js';

/** Database secrets engine: connection config, roles, and per-user dynamic credentials. */
export class DatabaseApi {
  constructor(private readonly call: VaultCall) {}

  async writeConfig(name: string, config: Record<string, unknown>, mount = 'database'): Promise<void> {
    await this.call({ method: 'POST', path: `${mount}/config/${encodeURIComponent(name)}`, body: config, schema: s.anyResponse });
  }

  async readConfig(name: string, mount = 'database'): Promise<Record<string, unknown> | undefined> {
    const body = await this.call({ method: 'GET', path: `${mount}/config/${encodeURIComponent(name)}`, schema: s.anyResponse, notFoundIsUndefined: true });
    return (body as { data?: Record<string, unknown> } | undefined)?.data;
  }

  async writeRole(name: string, role: Record<string, unknown>, mount = 'database'): Promise<void> {
    await this.call({ method: 'POST', path: `${mount}/roles/${encodeURIComponent(name)}`, body: role, schema: s.anyResponse });
  }

  async readRole(name: string, mount = 'database'): Promise<Record<string, unknown> | undefined> {
    const body = await this.call({ method: 'GET', path: `${mount}/roles/${encodeURIComponent(name)}`, schema: s.anyResponse, notFoundIsUndefined: true });
    return (body as { data?: Record<string, unknown> } | undefined)?.data;
  }

  async readCreds(role: string, mount = 'database'): Promise<s.DatabaseCreds> {
    return this.call({ method: 'GET', path: `${mount}/creds/${encodeURIComponent(role)}`, schema: s.databaseCreds });
  }
}
