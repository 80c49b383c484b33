import mysql from 'mysql2/promise';
import { SCHEMA_NAME_PATTERN } from '../config.js';
import type { MysqlConnection } from '../bootstrap/database.js';

/**
 * The demo data the `<app>-users` database role may read. It belongs to `dev` and the
 * tests, not to `bootstrap`: production bootstrap configures OpenBao and never creates
 * tables in an operator's database.
 */
export const DEMO_FAQ: readonly { topic: string; answer: string }[] = [
  { topic: 'hours', answer: 'We are here around the clock.' },
  { topic: 'privacy', answer: 'Each chat session has its own OpenBao identity and its own short-lived database user.' },
  { topic: 'pricing', answer: 'The demo is free.' },
];

export function connectMysql(connection: MysqlConnection, options: { connectTimeoutMs?: number; database?: string } = {}): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: connection.host,
    port: connection.port,
    user: connection.username,
    password: connection.password,
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    ...(options.database ? { database: options.database } : {}),
  });
}

/** Idempotent and safe to run concurrently: `IF NOT EXISTS` and `INSERT IGNORE` on a key. */
export async function ensureDemoSchema(connection: MysqlConnection, schema: string): Promise<void> {
  if (!SCHEMA_NAME_PATTERN.test(schema)) throw new Error(`schema name must match ${SCHEMA_NAME_PATTERN.source}`);
  const db = await connectMysql(connection);
  try {
    await db.query(`CREATE DATABASE IF NOT EXISTS \`${schema}\``);
    await db.query(`CREATE TABLE IF NOT EXISTS \`${schema}\`.faq (topic VARCHAR(32) PRIMARY KEY, answer VARCHAR(255) NOT NULL)`);
    await db.query(`INSERT IGNORE INTO \`${schema}\`.faq (topic, answer) VALUES ?`, [DEMO_FAQ.map((row) => [row.topic, row.answer])]);
  } finally {
    await db.end();
  }
}

/** Undefined when the server answers and accepts the login; otherwise why not. */
export async function probeMysql(connection: MysqlConnection, timeoutMs = 1_500): Promise<string | undefined> {
  try {
    const db = await connectMysql(connection, { connectTimeoutMs: timeoutMs });
    await db.end();
    return undefined;
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return e.code ?? e.message ?? 'unknown error';
  }
}
