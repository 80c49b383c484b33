import type { Command } from 'commander';
import { bootstrap, describeChange } from '../bootstrap/bootstrap.js';
import { loadConfig } from '../config.js';
import { emitPolicies, OFFLINE_ADDR } from '../policy/emit-policies.js';
import { adminClient } from './admin-token.js';
import { CliError } from './errors.js';

export function registerBootstrap(program: Command): void {
  program
    .command('bootstrap')
    .summary('configure OpenBao for the broker (operator, admin token, once)')
    .description(
      'Creates, idempotently, what the config describes: one templated policy and one token role per\n' +
        'application, the broker policy and AppRole, the KV v2 mount. A second run changes nothing.\n' +
        'Needs an admin token in BAO_TOKEN (or VAULT_TOKEN) or --token-file; the broker never holds it.',
    )
    .requiredOption('--config <file>', 'broker config (YAML)')
    .option('--dry-run', 'print the plan and change nothing')
    .option('--credentials-dir <dir>', 'write the broker role-id and secret-id files (mode 0600) here')
    .option('--rotate-secret-id', 'issue a new secret_id even if the broker has one')
    .option('--token-file <file>', 'read the admin token from this file')
    .option('--emit-policies <dir>', 'with --dry-run: write each policy bootstrap would apply to DIR/<name>.hcl; contacts no OpenBao')
    .action(async (opts: { config: string; dryRun?: boolean; credentialsDir?: string; rotateSecretId?: boolean; tokenFile?: string; emitPolicies?: string }) => {
      if (opts.emitPolicies !== undefined) {
        if (!opts.dryRun) throw new CliError('--emit-policies needs --dry-run: it writes files and changes nothing in OpenBao');
        const offline = loadConfig(opts.config, { ...process.env, BAO_ADDR: OFFLINE_ADDR });
        for (const file of emitPolicies(offline, opts.emitPolicies)) console.log(`wrote ${file}`);
        return;
      }
      const config = loadConfig(opts.config);
      const admin = adminClient(config, opts.tokenFile);
      try {
        const result = await bootstrap(admin, config, {
          dryRun: opts.dryRun ?? false,
          rotateSecretId: opts.rotateSecretId ?? false,
          ...(opts.credentialsDir ? { credentialsDir: opts.credentialsDir } : {}),
        });
        const verb = opts.dryRun ? 'would' : 'did';
        if (result.changes.length === 0) console.log('bootstrap: no changes; OpenBao already matches the config');
        for (const change of result.changes) console.log(`${verb} ${describeChange(change)}`);
        if (opts.dryRun) return;
        if (result.roleId) console.log(`role_id: ${result.roleId}`);
        if (result.credentialFiles) {
          console.log(`credentials: ${result.credentialFiles.roleId}, ${result.credentialFiles.secretId} (mode 0600)`);
        } else if (result.secretId) {
          console.log(`secret_id: ${result.secretId}\n(shown once; store it where the broker reads openbao.auth.secret_id)`);
        } else {
          console.log('secret_id: unchanged (pass --rotate-secret-id to issue a new one)');
        }
      } finally {
        await admin.close();
      }
    });
}
