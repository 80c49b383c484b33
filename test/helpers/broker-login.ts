import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VaultClient } from '../../src/vault/index.js';

/** Logs in with the AppRole files bootstrap wrote: the broker's real, least-privilege token. */
export async function brokerClient(bao: { root: VaultClient }, credentialsDir: string): Promise<VaultClient> {
  const roleId = readFileSync(join(credentialsDir, 'role-id'), 'utf8').trim();
  const secretId = readFileSync(join(credentialsDir, 'secret-id'), 'utf8').trim();
  const auth = await bao.root.approle.login(roleId, secretId);
  return bao.root.withToken(auth.client_token);
}
