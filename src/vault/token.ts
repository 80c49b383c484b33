import { z } from 'zod';
import type { VaultCall } from './client.js';
import * as s from './schemas.js';

export interface CreateTokenWithRole {
  /** "<app>:<user_identifier>"; OpenBao creates or fetches the entity under its own lock. */
  entity_alias?: string;
  ttl?: string;
  meta?: Record<string, string>;
  num_uses?: number;
}

/** auth/token/* endpoints. */
export class TokenApi {
  constructor(private readonly call: VaultCall) {}

  async readRole(name: string): Promise<s.TokenRole | undefined> {
    const body = await this.call({
      method: 'GET',
      path: `auth/token/roles/${encodeURIComponent(name)}`,
      schema: s.dataOf(s.tokenRole),
      notFoundIsUndefined: true,
    });
    return body?.data;
  }

  async writeRole(name: string, role: Record<string, unknown>): Promise<void> {
    await this.call({ method: 'POST', path: `auth/token/roles/${encodeURIComponent(name)}`, body: role, schema: s.anyResponse });
  }

  async createWithRole(role: string, request: CreateTokenWithRole): Promise<{ auth: s.AuthBlock; warnings: string[] }> {
    const body = await this.call({
      method: 'POST',
      path: `auth/token/create/${encodeURIComponent(role)}`,
      body: request,
      schema: s.authResponse,
    });
    return { auth: body.auth, warnings: body.warnings ?? [] };
  }

  /** Plain auth/token/create: only operators and tests use it; the broker never holds it. */
  async create(request: Record<string, unknown>): Promise<s.AuthBlock> {
    return (await this.call({ method: 'POST', path: 'auth/token/create', body: request, schema: s.authResponse })).auth;
  }

  async lookupSelf(): Promise<s.TokenLookup> {
    return (await this.call({ method: 'GET', path: 'auth/token/lookup-self', schema: s.dataOf(s.tokenLookup) })).data;
  }

  async renewSelf(increment?: string): Promise<s.AuthBlock> {
    const body = increment ? { increment } : {};
    return (await this.call({ method: 'POST', path: 'auth/token/renew-self', body, schema: s.authResponse })).auth;
  }

  async revokeSelf(): Promise<void> {
    await this.call({ method: 'POST', path: 'auth/token/revoke-self', body: {}, schema: s.anyResponse });
  }

  async revokeAccessor(accessor: string): Promise<void> {
    await this.call({ method: 'POST', path: 'auth/token/revoke-accessor', body: { accessor }, schema: s.anyResponse });
  }

  async lookupAccessor(accessor: string): Promise<s.TokenLookup> {
    const body = await this.call({
      method: 'POST',
      path: 'auth/token/lookup-accessor',
      body: { accessor },
      schema: s.dataOf(s.tokenLookup.extend({ id: z.string().optional() })),
    });
    return body.data;
  }
}
