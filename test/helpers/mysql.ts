import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import { parseMysqlUrl, type MysqlConnection } from '../../src/bootstrap/database.js';
import type { ConfigInput } from '../../src/config.js';
import { connectMysql, ensureDemoSchema, probeMysql } from '../../src/embedded/demo-schema.js';

export interface TestDatabase {
  /** The admin login OpenBao's database engine uses (root on the test machine). */
  admin: MysqlConnection;
  /** The `database:` config section pointing at it (no secret: the dev root has none). */
  configSection: NonNullable<ConfigInput['database']>;
  /** Demo schema of each application, unique to this run. */
  schemas: Record<string, string>;
  /** A schema no application's users were granted. */
  otherSchema: string;
  /** `applications` config with each application's database_schema filled in. */
  applications(settings: Record<string, Record<string, unknown>>): ConfigInput['applications'];
  /** Logs in as a database user and runs one query; rejects with mysql2's error. */
  queryAs(user: { username: string; password: string }, sql: string, schema?: string): Promise<unknown[]>;
  canLogIn(user: { username: string; password: string }): Promise<boolean>;
  /** Whether MariaDB still has this user (for users whose password the test never saw). */
  userExists(username: string): Promise<boolean>;
}

/**
 * The real MariaDB (127.0.0.1:3306, root without password, or IB_TEST_MYSQL_URL) with demo
 * schemas named for this run, so parallel test files never share one. After the file, it
 * drops every user granted on them and the schemas. Unreachable → the file fails, saying why.
 */
export async function startTestDatabase(applications: readonly string[]): Promise<TestDatabase> {
  const url = process.env['IB_TEST_MYSQL_URL'];
  const admin: MysqlConnection = url ? parseMysqlUrl(url) : { host: '127.0.0.1', port: 3306, username: 'root', password: '' };
  const problem = await probeMysql(admin, 3_000);
  if (problem) {
    throw new Error(`MariaDB at ${admin.host}:${admin.port} is required by this test (${problem}); start it or set IB_TEST_MYSQL_URL`);
  }
  const run = `ibt_${randomBytes(4).toString('hex')}`;
  const schemas = Object.fromEntries(applications.map((app) => [app, `${run}_${app.replaceAll('-', '_')}`]));
  const otherSchema = `${run}_other`;
  const all = [...Object.values(schemas), otherSchema];
  after(() => dropRun(admin, all));
  for (const schema of all) await ensureDemoSchema(admin, schema);

  const queryAs: TestDatabase['queryAs'] = async (user, sql, schema) => {
    const db = await connectMysql({ ...admin, username: user.username, password: user.password }, schema ? { database: schema } : {});
    try {
      const [rows] = await db.query(sql);
      return rows as unknown[];
    } finally {
      await db.end();
    }
  };
  return {
    admin,
    configSection: { host: admin.host, port: admin.port, username: admin.username, credentials_ttl: '5m', credentials_max_ttl: '30m' },
    schemas,
    otherSchema,
    applications: (settings) =>
      Object.fromEntries(Object.entries(settings).map(([app, s]) => [app, { ...s, ...(schemas[app] ? { database_schema: schemas[app] } : {}) }])),
    queryAs,
    userExists: async (username) => {
      const conn = await connectMysql(admin);
      try {
        const [rows] = await conn.query('SELECT 1 FROM mysql.user WHERE User = ?', [username]);
        return (rows as unknown[]).length > 0;
      } finally {
        await conn.end();
      }
    },
    canLogIn: (user) => queryAs(user, 'SELECT 1').then(() => true, (error: { code?: string }) => {
      // MariaDB answers 1045, or 1698 when the user no longer exists at all.
      if (error.code === 'ER_ACCESS_DENIED_ERROR' || error.code === 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR') return false;
      throw error;
    }),
  };
}

async function dropRun(admin: MysqlConnection, schemas: string[]): Promise<void> {
  const db = await connectMysql(admin);
  try {
    // Grants name the schema with `_` escaped (see bootstrap/database.ts).
    const granted = schemas.flatMap((s) => [s, s.replaceAll('_', '\\_')]);
    const [users] = await db.query('SELECT DISTINCT User AS user, Host AS host FROM mysql.db WHERE Db IN (?)', [granted]);
    for (const { user, host } of users as { user: string; host: string }[]) await db.query('DROP USER IF EXISTS ?@?', [user, host]);
    for (const schema of schemas) await db.query(`DROP DATABASE IF EXISTS \`${schema}\``);
  } finally {
    await db.end();
  }
}
