import { ConfigError } from '../config.js';
import { isVaultError } from '../vault/index.js';

/** Exit codes follow OpenBao's CLI: 1 for bad usage or config, 2 for a server-side error. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof ConfigError) return 1;
  if (isVaultError(error)) return 2;
  return 1;
}
