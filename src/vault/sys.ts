import { z } from 'zod';
import type { VaultCall } from './client.js';
import * as s from './schemas.js';

const capabilitiesSelf = z.record(z.string(), z.unknown());
const mountTable = z.object({ data: z.record(z.string(), s.mountEntry) });

/** sys/* endpoints: health, capabilities, ACL policies, auth methods, secret mounts. */
export class SysApi {
  constructor(private readonly call: VaultCall) {}

  health(): Promise<s.Health> {
    return this.call({ method: 'GET', path: 'sys/health', schema: s.health });
  }

  /** Capabilities of the calling token on each path (e.g. ["deny"], ["update"], ["root"]). */
  async capabilitiesSelf(paths: readonly string[]): Promise<Record<string, string[]>> {
    const body = await this.call({ method: 'POST', path: 'sys/capabilities-self', body: { paths }, schema: capabilitiesSelf });
    const result: Record<string, string[]> = {};
    for (const path of paths) {
      const caps = body[path];
      result[path] = Array.isArray(caps) ? caps.filter((c): c is string => typeof c === 'string') : ['deny'];
    }
    return result;
  }

  async readPolicy(name: string): Promise<string | undefined> {
    const body = await this.call({
      method: 'GET',
      path: `sys/policies/acl/${encodeURIComponent(name)}`,
      schema: s.dataOf(s.policy),
      notFoundIsUndefined: true,
    });
    return body?.data.policy;
  }

  async writePolicy(name: string, policy: string): Promise<void> {
    await this.call({ method: 'PUT', path: `sys/policies/acl/${encodeURIComponent(name)}`, body: { policy }, schema: s.anyResponse });
  }

  async deletePolicy(name: string): Promise<void> {
    await this.call({ method: 'DELETE', path: `sys/policies/acl/${encodeURIComponent(name)}`, schema: s.anyResponse });
  }

  async listPolicies(): Promise<string[]> {
    const body = await this.call({ method: 'LIST', path: 'sys/policies/acl', schema: s.dataOf(s.keyList) });
    return body.data.keys;
  }

  /** Enabled auth methods keyed by path with a trailing slash ("approle/"). */
  async listAuth(): Promise<Record<string, s.MountEntry>> {
    return (await this.call({ method: 'GET', path: 'sys/auth', schema: mountTable })).data;
  }

  async enableAuth(path: string, type: string, description = ''): Promise<void> {
    await this.call({ method: 'POST', path: `sys/auth/${path}`, body: { type, description }, schema: s.anyResponse });
  }

  /** Secret engines keyed by path with a trailing slash ("kv/"). */
  async listMounts(): Promise<Record<string, s.MountEntry>> {
    return (await this.call({ method: 'GET', path: 'sys/mounts', schema: mountTable })).data;
  }

  async enableMount(path: string, type: string, options: Record<string, string> = {}, description = ''): Promise<void> {
    await this.call({ method: 'POST', path: `sys/mounts/${path}`, body: { type, options, description }, schema: s.anyResponse });
  }

  /** Revokes every lease under a prefix (e.g. "database/creds/"), waiting for it. Needs sudo. */
  async revokeLeasePrefix(prefix: string): Promise<void> {
    await this.call({ method: 'POST', path: `sys/leases/revoke-prefix/${prefix}`, body: { sync: true }, schema: s.anyResponse });
  }
}
