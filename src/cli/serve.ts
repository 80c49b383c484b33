import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { startBroker } from '../main.js';
import { untilSignal } from './signals.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .summary('run the broker (production: nothing embedded)')
    .requiredOption('--config <file>', 'broker config (YAML)')
    .action(async (opts: { config: string }) => {
      const config = loadConfig(opts.config);
      const broker = await startBroker(config);
      await untilSignal();
      await broker.close();
    });
}
