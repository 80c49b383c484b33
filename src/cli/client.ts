import type { Command } from 'commander';
import { stringify } from 'yaml';
import { generateApiKey, hashApiKey } from '../broker/api-keys.js';
import { APPLICATION_PATTERN, CLIENT_ID_PATTERN } from '../contract/names.js';
import { CliError } from './errors.js';

export function registerClient(program: Command): void {
  const client = program.command('client').summary('API key lifecycle for application clients');
  client
    .command('create <client_id>')
    .summary('print a new API key (once) and the config snippet holding only its hash')
    .requiredOption('--applications <list>', 'comma-separated applications the client may issue identities for')
    .option('--rate-limit <per_minute>', 'entity creations per minute (default: the config-wide default)')
    .action((clientId: string, opts: { applications: string; rateLimit?: string }) => {
      if (!CLIENT_ID_PATTERN.test(clientId)) throw new CliError(`client_id "${clientId}" must match ${CLIENT_ID_PATTERN}`);
      const applications = opts.applications.split(',').map((a) => a.trim()).filter(Boolean);
      const bad = applications.find((a) => !APPLICATION_PATTERN.test(a));
      if (applications.length === 0 || bad !== undefined) {
        throw new CliError(`--applications: "${bad ?? ''}" must match ${APPLICATION_PATTERN}`);
      }
      const rate = opts.rateLimit === undefined ? undefined : Number(opts.rateLimit);
      if (rate !== undefined && (!Number.isInteger(rate) || rate < 1)) throw new CliError('--rate-limit must be a positive integer');
      const key = generateApiKey(clientId);
      const snippet = {
        clients: {
          [clientId]: { api_key_hash: hashApiKey(key), applications, ...(rate ? { rate_limit_per_minute: rate } : {}) },
        },
      };
      console.log(`API key for ${clientId} (shown once; give it to the application as a secret):\n\n  ${key}\n`);
      console.log('Add to the broker config (it holds only the hash):\n');
      console.log(stringify(snippet).trimEnd());
    });
}
