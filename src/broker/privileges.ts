import type { Config } from '../config.js';
import { tokenRoleName } from '../bootstrap/policies.js';
import type { VaultClient } from '../vault/index.js';

/**
 * Paths whose any capability would make the broker more than a token minter. Placeholders
 * ("x") stand for every name under the path: policies are usually written with globs.
 */
export const SENSITIVE_PATHS: readonly string[] = [
  'sys/policies/acl/x',
  'sys/policy/x',
  'sys/mounts/x',
  'sys/auth/x',
  'sys/audit/x',
  'sys/raw/x',
  'sys/seal',
  'identity/entity',
  'identity/entity/id/x',
  'identity/entity-alias',
  'identity/group',
  'auth/token/roles/x',
  'auth/token/create',
  'auth/token/create-orphan',
  'auth/approle/role/x',
];

export interface PrivilegeReport {
  /** Sensitive paths the token holds something other than deny on. */
  excess: { path: string; capabilities: string[] }[];
  /** Paths the broker needs but lacks. */
  missing: { path: string; capability: string }[];
  isRoot: boolean;
  /** Every path asked about, in order, for `verify-privileges` to print as a table. */
  checks: PrivilegeCheck[];
}

export interface PrivilegeCheck {
  path: string;
  /** What OpenBao answered for the token on this path. */
  capabilities: string[];
  /** "deny" for a sensitive path; the capability the broker needs for a required one. */
  expected: string;
  verdict: 'ok' | 'excess' | 'missing';
}

/**
 * The sensitive paths for one deployment: the fixed list plus the names this config
 * uses — every user's KV data, the database roles, the AppRole mount, seed-style
 * per-user policies.
 */
export function sensitivePaths(config: Pick<Config, 'applications'> & { openbao?: Pick<Config['openbao'], 'kv_mount' | 'auth'> }): string[] {
  const kv = config.openbao?.kv_mount ?? 'kv';
  const auth = config.openbao?.auth;
  const approle = auth?.method === 'approle' ? auth.mount : 'approle';
  const paths = new Set([...SENSITIVE_PATHS, 'sys/policies/acl/user-x', `${kv}/data/x`, `${kv}/metadata/x`, 'database/creds/x', `auth/${approle}/role/x`]);
  for (const app of Object.keys(config.applications)) {
    paths.add(`${kv}/data/${app}/users/x/y`);
    paths.add(`database/creds/${app}-users`);
  }
  return [...paths];
}

/** What the broker must be able to do for the config's applications. */
export function requiredCapabilities(config: Pick<Config, 'applications'>): Record<string, string> {
  const required: Record<string, string> = { 'auth/token/revoke-accessor': 'update' };
  for (const app of Object.keys(config.applications)) required[`auth/token/create/${tokenRoleName(app)}`] = 'update';
  return required;
}

/** Asks OpenBao what the client's own token may do; never trusts a policy file. */
export async function checkPrivileges(
  vault: VaultClient,
  config: Parameters<typeof sensitivePaths>[0],
): Promise<PrivilegeReport> {
  const required = requiredCapabilities(config);
  const sensitive = sensitivePaths(config);
  const caps = await vault.sys.capabilitiesSelf([...sensitive, ...Object.keys(required)]);
  const self = await vault.token.lookupSelf();
  const isRoot = self.policies.includes('root') || Object.values(caps).some((c) => c.includes('root'));
  const checks: PrivilegeCheck[] = [
    ...sensitive.map((path): PrivilegeCheck => {
      const capabilities = caps[path] ?? ['deny'];
      return { path, capabilities, expected: 'deny', verdict: capabilities.every((c) => c === 'deny') ? 'ok' : 'excess' };
    }),
    ...Object.entries(required).map(([path, capability]): PrivilegeCheck => {
      const capabilities = caps[path] ?? [];
      const ok = capabilities.includes(capability) || capabilities.includes('root');
      return { path, capabilities, expected: capability, verdict: ok ? 'ok' : 'missing' };
    }),
  ];
  const excess = checks.filter((c) => c.verdict === 'excess').map(({ path, capabilities }) => ({ path, capabilities }));
  const missing = checks.filter((c) => c.verdict === 'missing').map(({ path, expected }) => ({ path, capability: expected }));
  return { excess, missing, isRoot, checks };
}

export function privilegesOk(report: PrivilegeReport): boolean {
  return !report.isRoot && report.excess.length === 0 && report.missing.length === 0;
}

export function describePrivilegeProblems(report: PrivilegeReport): string {
  const lines: string[] = [];
  if (report.isRoot) lines.push('the token is a root token (policy "root"); give the broker its own AppRole instead');
  for (const { path, capabilities } of report.excess) lines.push(`excess: ${path} [${capabilities.join(', ')}]`);
  for (const { path, capability } of report.missing) lines.push(`missing: ${path} [${capability}]`);
  return lines.join('\n');
}

export class ExcessPrivilegeError extends Error {
  override readonly name = 'ExcessPrivilegeError';
  constructor(readonly report: PrivilegeReport) {
    super(
      `refusing to start: the broker's OpenBao token does not match least privilege\n${describePrivilegeProblems(report)}\n` +
        'Run `identity-broker bootstrap` with an admin token and log the broker in with the AppRole it creates.',
    );
  }
}
