import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bootstrap } from '../../src/bootstrap/bootstrap.js';
import { createBrokerSessions, IdentityBrokerClient, type DatabaseCredentials, type UserSession } from '../../src/sdk/index.js';
import { startBao } from '../helpers/bao.js';
import { startTestBroker } from '../helpers/broker.js';
import { startTestDatabase } from '../helpers/mysql.js';

const bao = await startBao();
const db = await startTestDatabase(['chatbot', 'analytics']);
const broker = await startTestBroker(bao, { applications: db.applications({ chatbot: {}, analytics: {} }), database: db.configSection });
const sessions = createBrokerSessions({
  broker: new IdentityBrokerClient({ baseUrl: broker.url, apiKey: broker.keys['chatbot-app'] as string }),
  application: 'chatbot',
  openbaoAddr: bao.addr,
});
let seq = 0;
const newSession = (ttl?: string) => sessions.initializeUserSession({ session_id: `db-${process.pid}-${seq++}`, ip_address: '192.0.2.1' }, ttl ? { ttl } : {});

/** Revocation runs in OpenBao's expiration manager: wait until the login is refused. */
async function eventuallyRefused(creds: DatabaseCredentials, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await db.canLogIn(creds)) {
    if (Date.now() > deadline) assert.fail(`database user ${creds.username} can still log in after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('bootstrap: database engine', () => {
  it('configures one connection and a SELECT-only role on the run schema with short leases', async () => {
    const role = await bao.root.database.readRole('chatbot-users');
    assert.ok(role, 'role chatbot-users exists');
    assert.equal(role['db_name'], 'chatbot-mysql');
    assert.equal(role['default_ttl'], 300);
    assert.equal(role['max_ttl'], 1800);
    const statements = (role['creation_statements'] as string[]).join('\n');
    // `_` escaped: in a database-level GRANT it is a wildcard.
    assert.ok(statements.includes(`GRANT SELECT ON \`${db.schemas['chatbot']?.replaceAll('_', '\\_')}\`.* TO`), statements);
    assert.doesNotMatch(statements, /ALL PRIVILEGES|\*\.\*|INSERT|UPDATE|DELETE/);
    assert.deepEqual(role['revocation_statements'], ["DROP USER IF EXISTS '{{name}}'@'%'"]);
    const config = await bao.root.database.readConfig('chatbot-mysql');
    assert.deepEqual(config?.['allowed_roles'], ['chatbot-users'], 'the connection serves only its own application');
  });

  it('repairs a loosened role and a widened connection; a second run changes nothing', async () => {
    const role = await bao.root.database.readRole('chatbot-users');
    await bao.root.database.writeRole('chatbot-users', { ...role, creation_statements: ["CREATE USER '{{name}}'@'%' IDENTIFIED BY '{{password}}'", "GRANT ALL ON *.* TO '{{name}}'@'%'"] });
    await bao.root.database.writeConfig('chatbot-mysql', { plugin_name: 'mysql-database-plugin', allowed_roles: ['chatbot-users', 'analytics-users'], verify_connection: false });
    const repair = await bootstrap(bao.root, broker.config);
    assert.deepEqual(repair.changes.map((c) => `${c.action} ${c.kind} ${c.name} ${c.fields?.join(',')}`).sort(), [
      'update database_connection chatbot-mysql allowed_roles',
      'update database_role chatbot-users creation_statements',
    ]);
    assert.deepEqual((await bootstrap(bao.root, broker.config)).changes, []);
  });
});

describe('per-user database credentials through the SDK', () => {
  const users: { session: UserSession; creds: DatabaseCredentials }[] = [];

  it('two users get different database usernames, and each can SELECT from the demo schema', async () => {
    for (let i = 0; i < 2; i++) {
      const session = await newSession();
      users.push({ session, creds: await session.getDatabaseCredentials() });
    }
    const [one, two] = users as [(typeof users)[0], (typeof users)[0]];
    assert.notEqual(one.session.entityId, two.session.entityId);
    assert.notEqual(one.creds.username, two.creds.username);
    assert.ok(one.creds.expiresAt.getTime() <= one.session.expiresAt.getTime(), 'the lease never outlives the token');
    for (const { creds } of users) {
      const rows = (await db.queryAs(creds, 'SELECT topic, answer FROM faq ORDER BY topic', db.schemas['chatbot'])) as { topic: string }[];
      assert.deepEqual(rows.map((r) => r.topic), ['hours', 'pricing', 'privacy']);
    }
  });

  it('cannot write, nor reach another schema, another application’s schema, or mysql.*', async () => {
    const { creds } = users[0] as (typeof users)[0];
    const denied = async (sql: string, code: string, schema?: string) =>
      assert.rejects(db.queryAs(creds, sql, schema), (e: { code?: string }) => e.code === code, sql);
    await denied(`SELECT * FROM \`${db.otherSchema}\`.faq`, 'ER_TABLEACCESS_DENIED_ERROR');
    await denied(`SELECT * FROM \`${db.schemas['analytics']}\`.faq`, 'ER_TABLEACCESS_DENIED_ERROR');
    await denied('SELECT 1', 'ER_DBACCESS_DENIED_ERROR', db.otherSchema);
    await denied('SELECT User FROM mysql.user', 'ER_TABLEACCESS_DENIED_ERROR');
    await denied(`INSERT INTO \`${db.schemas['chatbot']}\`.faq VALUES ('x', 'y')`, 'ER_TABLEACCESS_DENIED_ERROR');
  });

  it('a chatbot user token cannot read the analytics database role', async () => {
    const res = await broker.post('/v1/entities', { application: 'chatbot', user_identifier: `cross-${process.pid}` }, 'chatbot-app');
    const { user_token: token } = (await res.json()) as { user_token: string };
    await assert.rejects(bao.root.withToken(token).database.readCreds('analytics-users'), { status: 403 });
    await bao.root.withToken(token).token.revokeSelf();
  });

  it('after end() their credentials no longer log in: the lease ends with the token', async () => {
    for (const { session, creds } of users) {
      assert.equal(await db.canLogIn(creds), true);
      await session.end();
      await eventuallyRefused(creds);
    }
  });

  it('a token revoked by accessor (as the broker does) or expired takes its credentials with it', async () => {
    const revoked = await newSession();
    const revokedCreds = await revoked.getDatabaseCredentials();
    await bao.root.token.revokeAccessor(revoked.tokenAccessor);
    await eventuallyRefused(revokedCreds);

    const shortLived = await newSession('3s');
    const expiringCreds = await shortLived.getDatabaseCredentials();
    assert.equal(await db.canLogIn(expiringCreds), true);
    await eventuallyRefused(expiringCreds, 15_000);
  });
});
