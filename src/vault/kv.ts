import type { VaultCall } from './client.js';
import { isVaultError, type VaultError } from './errors.js';
import * as s from './schemas.js';

/** KV version 2: reads and check-and-set writes under `<mount>/data/<path>`. */
export class KvApi {
  constructor(private readonly call: VaultCall) {}

  async read(mount: string, path: string): Promise<s.KvRead | undefined> {
    const body = await this.call({ method: 'GET', path: `${mount}/data/${path}`, schema: s.dataOf(s.kvRead), notFoundIsUndefined: true });
    return body?.data;
  }

  /**
   * `cas: 0` writes only if the key does not exist; `cas: n` only if the current version is n.
   * A mismatch throws a VaultError for which isCasMismatch() is true.
   */
  async write(mount: string, path: string, data: Record<string, unknown>, options: { cas?: number } = {}): Promise<number> {
    const body = await this.call({
      method: 'POST',
      path: `${mount}/data/${path}`,
      body: { data, options: options.cas === undefined ? {} : { cas: options.cas } },
      schema: s.dataOf(s.kvWrite),
    });
    return body.data.version;
  }

  async deleteAll(mount: string, path: string): Promise<void> {
    await this.call({ method: 'DELETE', path: `${mount}/metadata/${path}`, schema: s.anyResponse });
  }
}

export function isCasMismatch(error: unknown): error is VaultError {
  return isVaultError(error) && error.status === 400 && error.errors.some((e) => e.includes('check-and-set'));
}
