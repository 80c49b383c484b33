import { readFileSync } from 'node:fs';
import type { Config } from '../config.js';
import { VaultClient } from '../vault/index.js';
import { CliError } from './errors.js';

/** An operator's token for bootstrap: --token-file, else BAO_TOKEN, else VAULT_TOKEN. */
export function adminClient(config: Config, tokenFile?: string): VaultClient {
  const token = tokenFile ? readFileSync(tokenFile, 'utf8').trim() : (process.env['BAO_TOKEN'] ?? process.env['VAULT_TOKEN']);
  if (!token) throw new CliError('an admin token is required: set BAO_TOKEN (or VAULT_TOKEN) or pass --token-file');
  return VaultClient.connect({ addr: config.openbao.addr, timeoutMs: config.openbao.timeout_ms, token });
}
