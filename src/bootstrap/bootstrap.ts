import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { VaultClient } from '../vault/index.js';
import { ensureDatabaseEngine } from './apply-database.js';
import { differingFields } from './compare.js';
import { BootstrapConflict } from './conflict.js';
import { desiredState, type AppRoleFields, type DesiredState } from './desired-state.js';

export interface Change {
  kind: 'secret_mount' | 'auth_method' | 'policy' | 'token_role' | 'approle_role' | 'secret_id' | 'database_connection' | 'database_role';
  name: string;
  action: 'create' | 'update';
  /** Fields that differ, for updates. */
  fields?: string[];
}

export interface BootstrapOptions {
  dryRun?: boolean;
  /** Write role-id and secret-id files (mode 0600) here instead of returning them to print. */
  credentialsDir?: string;
  /** Issue a new secret_id even though the broker already has one. */
  rotateSecretId?: boolean;
}

export interface BootstrapResult {
  changes: Change[];
  roleId?: string;
  /** Only when a secret_id was issued in this run and no credentialsDir was given. */
  secretId?: string;
  credentialFiles?: { roleId: string; secretId: string };
}

export { BootstrapConflict } from './conflict.js';

/**
 * Makes OpenBao hold what the config describes, idempotently: each step compares the
 * current state with the desired one and writes only what differs. With dryRun it only
 * reports. Runs with an operator's admin token, once; the broker never runs this.
 */
export async function bootstrap(admin: VaultClient, config: Config, options: BootstrapOptions = {}): Promise<BootstrapResult> {
  const desired = desiredState(config);
  const changes: Change[] = [];
  const apply = async (change: Change, write: () => Promise<void>) => {
    changes.push(change);
    if (!options.dryRun) await write();
  };

  await ensureKvMount(admin, desired, apply);
  await ensureAppRoleAuth(admin, desired, apply);
  for (const policy of desired.policies) {
    const current = await admin.sys.readPolicy(policy.name);
    if (current !== policy.hcl) {
      await apply({ kind: 'policy', name: policy.name, action: current === undefined ? 'create' : 'update' }, () =>
        admin.sys.writePolicy(policy.name, policy.hcl),
      );
    }
  }
  for (const role of desired.tokenRoles) {
    const current = await admin.token.readRole(role.name);
    const fields = current ? differingFields(role.fields, current) : [];
    if (!current || fields.length > 0) {
      await apply({ kind: 'token_role', name: role.name, action: current ? 'update' : 'create', ...(current ? { fields } : {}) }, () =>
        admin.token.writeRole(role.name, { ...role.fields }),
      );
    }
  }
  if (config.database) await ensureDatabaseEngine(admin, config, apply);
  // Direct mode: the applications' own AppRole roles. Their secret_ids are issued by the
  // operator (or replaced by Kubernetes auth), never by this run.
  for (const role of desired.serviceRoles) await ensureAppRoleRole(admin, desired.appRoleMount, role, apply);
  const roleExisted = await ensureAppRoleRole(admin, desired.appRoleMount, desired.brokerRole, apply);
  if (options.dryRun && !roleExisted) return { changes: [...changes, secretIdChange(desired)] };
  return issueCredentials(admin, desired, { ...options, roleExisted }, apply, changes);
}

export type Apply = (change: Change, write: () => Promise<void>) => Promise<void>;

async function ensureKvMount(admin: VaultClient, desired: DesiredState, apply: Apply): Promise<void> {
  const mounts = await admin.sys.listMounts();
  const current = mounts[`${desired.kvMount}/`];
  if (!current) {
    await apply({ kind: 'secret_mount', name: desired.kvMount, action: 'create' }, () =>
      admin.sys.enableMount(desired.kvMount, 'kv', { version: '2' }, 'identity-broker: per-user data'),
    );
  } else if (current.type !== 'kv' || current.options?.['version'] !== '2') {
    throw new BootstrapConflict(
      `secret mount "${desired.kvMount}/" exists as ${current.type} version ${current.options?.['version'] ?? '1'}; ` +
        'identity-broker needs KV version 2 there. Choose another openbao.kv_mount or upgrade the mount.',
    );
  }
}

async function ensureAppRoleAuth(admin: VaultClient, desired: DesiredState, apply: Apply): Promise<void> {
  const methods = await admin.sys.listAuth();
  const current = methods[`${desired.appRoleMount}/`];
  if (!current) {
    await apply({ kind: 'auth_method', name: desired.appRoleMount, action: 'create' }, () =>
      admin.sys.enableAuth(desired.appRoleMount, 'approle', 'identity-broker: broker login'),
    );
  } else if (current.type !== 'approle') {
    throw new BootstrapConflict(`auth mount "${desired.appRoleMount}/" exists with type ${current.type}, not approle`);
  }
}

/** Returns whether the role existed before this run. */
async function ensureAppRoleRole(admin: VaultClient, mount: string, role: { name: string; fields: AppRoleFields }, apply: Apply): Promise<boolean> {
  const { name, fields: wanted } = role;
  const current = await admin.approle.readRole(name, mount);
  const fields = current ? differingFields(wanted, current) : [];
  if (!current || fields.length > 0) {
    await apply({ kind: 'approle_role', name, action: current ? 'update' : 'create', ...(current ? { fields } : {}) }, () =>
      admin.approle.writeRole(name, { ...wanted }, mount),
    );
  }
  return current !== undefined;
}

/**
 * A secret_id is a change (it adds a credential), so it is issued only when the role is
 * new, when the credentials file is missing, or on request: a second run changes nothing.
 */
async function issueCredentials(
  admin: VaultClient,
  desired: DesiredState,
  options: BootstrapOptions & { roleExisted: boolean },
  apply: Apply,
  changes: Change[],
): Promise<BootstrapResult> {
  const { name } = desired.brokerRole;
  const roleId = await admin.approle.readRoleId(name, desired.appRoleMount);
  const dir = options.credentialsDir;
  const files = dir ? { roleId: join(dir, 'role-id'), secretId: join(dir, 'secret-id') } : undefined;
  const needSecret = options.rotateSecretId || !options.roleExisted || (files !== undefined && !existsSync(files.secretId));
  let secretId: string | undefined;
  if (needSecret) {
    await apply(secretIdChange(desired), async () => {
      const issued = await admin.approle.generateSecretId(name, desired.appRoleMount);
      secretId = issued.secretId;
      // Rotation means the old secret_ids stop working, not that they pile up.
      if (options.rotateSecretId) await destroyOtherSecretIds(admin, desired, issued.accessor);
    });
  }
  if (!files || options.dryRun) return { changes, roleId, ...(secretId ? { secretId } : {}) };
  mkdirSync(dir as string, { recursive: true, mode: 0o700 });
  if (!existsSync(files.roleId) || readFileSync(files.roleId, 'utf8').trim() !== roleId) writeSecretFile(files.roleId, roleId);
  if (secretId) writeSecretFile(files.secretId, secretId);
  return { changes, roleId, credentialFiles: files };
}

async function destroyOtherSecretIds(admin: VaultClient, desired: DesiredState, keep: string): Promise<void> {
  const { name } = desired.brokerRole;
  for (const accessor of await admin.approle.listSecretIdAccessors(name, desired.appRoleMount)) {
    if (accessor !== keep) await admin.approle.destroySecretIdByAccessor(name, accessor, desired.appRoleMount);
  }
}

function secretIdChange(desired: DesiredState): Change {
  return { kind: 'secret_id', name: desired.brokerRole.name, action: 'create' };
}

function writeSecretFile(path: string, value: string): void {
  writeFileSync(path, `${value}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

export function describeChange(change: Change): string {
  const fields = change.fields?.length ? ` (${change.fields.join(', ')})` : '';
  return `${change.action} ${change.kind.replace('_', ' ')} "${change.name}"${fields}`;
}
