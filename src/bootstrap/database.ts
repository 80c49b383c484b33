import { readSecret, type Config, type DatabaseConfig } from '../config.js';
import { parseDurationSeconds } from '../contract/duration.js';
import { databaseRoleName } from './policies.js';

/** Where OpenBao's database engine is mounted; the user policy names `database/creds/…`. */
export const DATABASE_MOUNT = 'database';

export interface MysqlConnection {
  host: string;
  port: number;
  username: string;
  /** Empty for the local development MariaDB's root. */
  password: string;
}

export interface DatabaseConnectionFields {
  plugin_name: string;
  connection_url: string;
  username: string;
  allowed_roles: string[];
}

export interface DatabaseRoleFields {
  db_name: string;
  creation_statements: string[];
  revocation_statements: string[];
  default_ttl: number;
  max_ttl: number;
}

export interface DatabaseDesiredState {
  connections: { name: string; fields: DatabaseConnectionFields }[];
  roles: { name: string; fields: DatabaseRoleFields }[];
}

export function databaseConnectionName(application: string): string {
  return `${application}-mysql`;
}

/** The demo schema an application's database users may read: `<app>_demo` unless configured. */
export function demoSchemaName(application: string, settings: { database_schema?: string | undefined }): string {
  return settings.database_schema ?? `${application.replaceAll('-', '_')}_demo`;
}

/** `mysql://user[:password]@host[:port]` → connection parts (user and password URL-decoded). */
export function parseMysqlUrl(url: string): MysqlConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('mysql_url is not a URL (expected mysql://user[:password]@host[:port])');
  }
  if (parsed.protocol !== 'mysql:' || !parsed.hostname || !parsed.username) {
    throw new Error('mysql_url must look like mysql://user[:password]@host[:port]');
  }
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : 3306,
    username: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
  };
}

/** Reads the secret references of the database section; the result holds the password. */
export function resolveMysqlConnection(db: DatabaseConfig, env: NodeJS.ProcessEnv = process.env): MysqlConnection {
  if (db.mysql_url) return parseMysqlUrl(readSecret(db.mysql_url, env));
  return {
    host: db.host ?? '127.0.0.1',
    port: db.port ?? 3306,
    username: db.username ?? 'root',
    password: db.password ? readSecret(db.password, env) : '',
  };
}

/**
 * In a GRANT at database level `_` and `%` are wildcards: `chatbot_demo` would also grant
 * `chatbotXdemo`. Escaping makes the grant name exactly one schema.
 */
function grantSchema(schema: string): string {
  return `\`${schema.replaceAll('_', '\\_')}\``;
}

/**
 * One connection and one role per application. The role's users may only SELECT from
 * the application's schema; revocation drops the user, so a lease that ends (TTL, or the
 * user token that read it being revoked) leaves no login behind.
 */
export function databaseDesiredState(config: Config, connection: Pick<MysqlConnection, 'host' | 'port' | 'username'>): DatabaseDesiredState {
  const db = config.database;
  if (!db) return { connections: [], roles: [] };
  const apps = Object.entries(config.applications).sort(([a], [b]) => a.localeCompare(b));
  const host = connection.host.includes(':') ? `[${connection.host}]` : connection.host;
  return {
    connections: apps.map(([app]) => ({
      name: databaseConnectionName(app),
      fields: {
        plugin_name: 'mysql-database-plugin',
        connection_url: `{{username}}:{{password}}@tcp(${host}:${connection.port})/`,
        username: connection.username,
        allowed_roles: [databaseRoleName(app)],
      },
    })),
    roles: apps.map(([app, settings]) => ({
      name: databaseRoleName(app),
      fields: {
        db_name: databaseConnectionName(app),
        creation_statements: [
          "CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'",
          `GRANT SELECT ON ${grantSchema(demoSchemaName(app, settings))}.* TO '{{name}}'@'%'`,
        ],
        revocation_statements: ["DROP USER IF EXISTS '{{name}}'@'%'"],
        default_ttl: parseDurationSeconds(db.credentials_ttl) ?? 300,
        max_ttl: parseDurationSeconds(db.credentials_max_ttl) ?? 3600,
      },
    })),
  };
}
