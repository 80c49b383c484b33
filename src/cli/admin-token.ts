import { readFileSync } from 'node:fs';
import type { Config } from '../config.js';
import { VaultClient } from '../vault/index.js';
import { CliError } from './errors.js';

/** A token an operator hands a command: --token-file, else BAO_TOKEN, else VAULT_TOKEN. */
export function operatorToken(tokenFile: string | undefined): { token: string; source: string } | undefined {
  if (tokenFile !== undefined) {
    try {
      const token = readFileSync(tokenFile, 'utf8').trim();
      return token ? { token, source: `file ${tokenFile}` } : undefined;
    } catch (error) {
      throw new CliError(`cannot read --token-file ${tokenFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  if (process.env['BAO_TOKEN']) return { token: process.env['BAO_TOKEN'], source: 'BAO_TOKEN' };
  if (process.env['VAULT_TOKEN']) return { token: process.env['VAULT_TOKEN'], source: 'VAULT_TOKEN' };
  return undefined;
}

/** An operator's admin client for bootstrap. */
export function adminClient(config: Config, tokenFile?: string): VaultClient {
  const found = operatorToken(tokenFile);
  if (!found) throw new CliError('an admin token is required: set BAO_TOKEN (or VAULT_TOKEN) or pass --token-file');
  return VaultClient.connect({ addr: config.openbao.addr, timeoutMs: config.openbao.timeout_ms, token: found.token });
}
