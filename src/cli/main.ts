#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerAudit } from './audit.js';
import { registerBootstrap } from './bootstrap.js';
import { registerClient } from './client.js';
import { registerDev } from './dev.js';
import { exitCodeFor } from './errors.js';
import { registerInstallOpenBao } from './install-openbao.js';
import { registerLintPolicy } from './lint-policy.js';
import { registerServe } from './serve.js';
import { registerVerifyPrivileges } from './verify-privileges.js';

/** `identity-broker <command>`: a thin client of the library, one file per command. */
export function buildProgram(): Command {
  const program = new Command('identity-broker')
    .description('Least-privilege identity broker for OpenBao/Vault')
    .showHelpAfterError()
    .exitOverride();
  registerDev(program);
  registerServe(program);
  registerBootstrap(program);
  registerClient(program);
  registerInstallOpenBao(program);
  registerAudit(program);
  registerLintPolicy(program);
  registerVerifyPrivileges(program);
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
    console.error(`identity-broker: ${(error as Error).message}`);
    return exitCodeFor(error);
  }
}

const code = await runCli(process.argv);
process.exitCode = code;
