import type { Config } from '../config.js';
import type { VaultClient } from '../vault/index.js';
import type { Apply } from './bootstrap.js';
import { BootstrapConflict } from './conflict.js';
import { differingFields } from './compare.js';
import { DATABASE_MOUNT, databaseDesiredState, resolveMysqlConnection, type DatabaseConnectionFields } from './database.js';

/**
 * The database secrets engine: the mount, one MySQL connection per application and its
 * `<app>-users` role. OpenBao checks the connection when it is written, so a wrong URL or
 * password fails here, at bootstrap, not at a user's first query.
 *
 * OpenBao never returns the connection password, so a changed password alone is not seen
 * as drift; `bao write database/config/<app>-mysql password=…` (or rotate-root) changes it.
 */
export async function ensureDatabaseEngine(admin: VaultClient, config: Config, apply: Apply): Promise<void> {
  if (!config.database) return;
  const connection = resolveMysqlConnection(config.database);
  const desired = databaseDesiredState(config, connection);

  const mounts = await admin.sys.listMounts();
  const mount = mounts[`${DATABASE_MOUNT}/`];
  if (!mount) {
    await apply({ kind: 'secret_mount', name: DATABASE_MOUNT, action: 'create' }, () =>
      admin.sys.enableMount(DATABASE_MOUNT, 'database', {}, 'identity-broker: per-user database credentials'),
    );
  } else if (mount.type !== 'database') {
    throw new BootstrapConflict(`secret mount "${DATABASE_MOUNT}/" exists as ${mount.type}; the user policies need the database engine there`);
  }

  for (const { name, fields: wanted } of desired.connections) {
    const current = mount ? flattenConnection(await admin.database.readConfig(name)) : undefined;
    const fields = current ? differingFields(wanted, current) : [];
    if (!current || fields.length > 0) {
      await apply({ kind: 'database_connection', name, action: current ? 'update' : 'create', ...(current ? { fields } : {}) }, () =>
        admin.database.writeConfig(name, { ...wanted, password: connection.password, verify_connection: true }),
      );
    }
  }
  for (const { name, fields: wanted } of desired.roles) {
    const current = mount ? await admin.database.readRole(name) : undefined;
    const fields = current ? differingFields(wanted, current) : [];
    if (!current || fields.length > 0) {
      await apply({ kind: 'database_role', name, action: current ? 'update' : 'create', ...(current ? { fields } : {}) }, () =>
        admin.database.writeRole(name, { ...wanted }),
      );
    }
  }
}

/** OpenBao nests the URL and user under connection_details; compare them as top-level fields. */
function flattenConnection(data: Record<string, unknown> | undefined): Partial<DatabaseConnectionFields> | undefined {
  if (!data) return undefined;
  const details = (data['connection_details'] ?? {}) as Record<string, unknown>;
  return {
    plugin_name: data['plugin_name'] as string,
    allowed_roles: data['allowed_roles'] as string[],
    connection_url: details['connection_url'] as string,
    username: details['username'] as string,
  };
}
