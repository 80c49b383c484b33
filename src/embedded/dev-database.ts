import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoSchemaName, parseMysqlUrl, type MysqlConnection } from '../bootstrap/database.js';
import type { ConfigInput } from '../config.js';
import { ensureDemoSchema, probeMysql } from './demo-schema.js';

/** The local MariaDB `dev` looks for when no --mysql-url is given (DESIGN.md). */
export const DEV_MYSQL: MysqlConnection = { host: '127.0.0.1', port: 3306, username: 'root', password: '' };

export interface DevDatabase {
  /** The config's `database:` section; a password, if any, is only a file reference. */
  configSection: NonNullable<ConfigInput['database']>;
  host: string;
  port: number;
  /** Demo schema per application. */
  schemas: Record<string, string>;
}

/**
 * Makes the demo database ready for `dev`: with --mysql-url that server must answer;
 * without it, MariaDB on 127.0.0.1:3306 (root, no password) is used when it answers and
 * skipped, with a note, when it does not. Creates each application's demo schema with a
 * small FAQ table, then bootstrap points OpenBao's database engine at it.
 */
export async function setUpDevDatabase(options: {
  mysqlUrl?: string | undefined;
  stateDir: string;
  applications: readonly string[];
  progress: (line: string) => void;
}): Promise<DevDatabase | undefined> {
  const connection = options.mysqlUrl ? parseMysqlUrl(options.mysqlUrl) : DEV_MYSQL;
  const where = `${connection.host}:${connection.port}`;
  const problem = await probeMysql(connection);
  if (problem) {
    if (options.mysqlUrl) throw new Error(`--mysql-url: cannot log in to MySQL at ${where} as ${connection.username} (${problem})`);
    options.progress(`no MariaDB login at ${where} (${problem}): database engine not configured; pass --mysql-url to use another server`);
    return undefined;
  }
  const schemas = Object.fromEntries(options.applications.map((app) => [app, demoSchemaName(app, {})]));
  for (const schema of Object.values(schemas)) await ensureDemoSchema(connection, schema);

  const configSection: DevDatabase['configSection'] = { host: connection.host, port: connection.port, username: connection.username };
  if (connection.password) {
    // The written config.yaml must hold no secret: the password goes to a 0600 file.
    const file = join(options.stateDir, 'mysql-password');
    writeFileSync(file, `${connection.password}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    configSection.password = { file };
  }
  options.progress(`MariaDB at ${where}: database engine on, demo schemas ${Object.values(schemas).join(', ')} (try: npm run example:chatbot)`);
  return { configSection, host: connection.host, port: connection.port, schemas };
}
