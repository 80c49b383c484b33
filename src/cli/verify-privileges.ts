import type { Command } from 'commander';
import { checkPrivileges, describePrivilegeProblems, privilegesOk, type PrivilegeReport } from '../broker/privileges.js';
import { VaultSession } from '../broker/vault-session.js';
import { loadConfig, parseConfig } from '../config.js';
import { VaultClient } from '../vault/index.js';
import { operatorToken } from './admin-token.js';
import { CliError } from './errors.js';

export function registerVerifyPrivileges(program: Command): void {
  program
    .command('verify-privileges')
    .summary("ask OpenBao what a broker token may do; exit 1 on any excess or missing capability")
    .description(
      'Runs the broker\'s start-up self-check (sys/capabilities-self on sensitive paths and on the paths\n' +
        'the broker needs) and prints one row per path. The token is, in order: --token-file; the\n' +
        "broker's own login when the config has openbao.auth; BAO_TOKEN (or VAULT_TOKEN). It is never printed.\n" +
        'Exit 0 when the token matches least privilege, 1 when it does not (or on bad usage), 2 on an OpenBao error.',
    )
    .option('--config <file>', "broker config (YAML): its applications, KV mount and login; without it, BAO_ADDR and no applications")
    .option('--token-file <file>', 'check the token in this file')
    .action(async (opts: { config?: string; tokenFile?: string }) => {
      const config = opts.config ? loadConfig(opts.config) : parseConfig({ applications: {} }, { source: 'environment (no --config)' });
      const vault = VaultClient.connect({ addr: config.openbao.addr, timeoutMs: config.openbao.timeout_ms });
      const session = opts.tokenFile === undefined && config.openbao.auth ? new VaultSession(vault, config.openbao.auth) : undefined;
      try {
        let client: VaultClient;
        let source: string;
        if (session) {
          await session.login();
          client = session.client;
          source = `the broker's own login (openbao.auth.method ${config.openbao.auth?.method})`;
        } else {
          ({ client, source } = tokenClient(vault, opts.tokenFile));
        }
        const report = await checkPrivileges(client, config);
        console.log(`OpenBao ${config.openbao.addr}, token from ${source}`);
        if (Object.keys(config.applications).length === 0) console.log('no applications configured: token-create paths not checked (pass --config)');
        console.log(formatPrivilegeTable(report));
        if (!privilegesOk(report)) {
          throw new CliError(`the token does not match least privilege:\n${describePrivilegeProblems(report)}`, 1);
        }
        console.log(`OK: ${report.checks.length} paths checked, nothing excess, nothing missing`);
      } finally {
        session?.close();
        await vault.close();
      }
    });
}

function tokenClient(vault: VaultClient, tokenFile: string | undefined): { client: VaultClient; source: string } {
  const found = operatorToken(tokenFile);
  if (!found) {
    throw new CliError('no token to check: pass --token-file, a --config with openbao.auth, or set BAO_TOKEN (or VAULT_TOKEN)');
  }
  return { client: vault.withToken(found.token), source: found.source };
}

/** One row per path asked about: path, what OpenBao answered, what the broker should hold, verdict. */
export function formatPrivilegeTable(report: PrivilegeReport): string {
  const header = { path: 'PATH', capabilities: 'CAPABILITIES', expected: 'EXPECTED', verdict: 'VERDICT' };
  const rows = [
    header,
    ...report.checks.map((c) => ({
      path: c.path,
      capabilities: c.capabilities.join(',') || '-',
      expected: c.expected,
      verdict: c.verdict === 'ok' ? 'ok' : c.verdict.toUpperCase(),
    })),
  ];
  const width = (key: keyof typeof header) => Math.max(...rows.map((r) => r[key].length));
  const [p, c, e] = [width('path'), width('capabilities'), width('expected')];
  const lines = rows.map((r) => `${r.path.padEnd(p)}  ${r.capabilities.padEnd(c)}  ${r.expected.padEnd(e)}  ${r.verdict}`);
  if (report.isRoot) lines.unshift('ROOT TOKEN: it may do anything; the broker must never hold one');
  return lines.join('\n');
}
