import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { databaseDesiredState, parseMysqlUrl, resolveMysqlConnection } from './bootstrap/database.js';
import { desiredState } from './bootstrap/desired-state.js';
import { ConfigError, loadConfig, parseConfig } from './config.js';

const env = { BAO_ADDR: 'http://127.0.0.1:8200' };
const base = { openbao: {}, applications: { chatbot: {}, 'help-desk': {} } };

function problemsOf(input: unknown): string {
  try {
    parseConfig(input, { env });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
  assert.fail('config was accepted');
}

describe('config: database and service_role', () => {
  it('defaults to the local root login with short leases and <app>_demo schemas', () => {
    const config = parseConfig({ ...base, database: {} }, { env });
    assert.deepEqual(resolveMysqlConnection(config.database!, {}), { host: '127.0.0.1', port: 3306, username: 'root', password: '' });
    const state = databaseDesiredState(config, { host: '127.0.0.1', port: 3306, username: 'root' });
    assert.deepEqual(state.connections.map((c) => [c.name, c.fields.allowed_roles]), [['chatbot-mysql', ['chatbot-users']], ['help-desk-mysql', ['help-desk-users']]]);
    const role = state.roles.find((r) => r.name === 'help-desk-users');
    assert.ok(role?.fields.creation_statements.some((s) => s.includes('GRANT SELECT ON `help\\_desk\\_demo`.*')), 'underscores escaped');
    assert.deepEqual([role?.fields.default_ttl, role?.fields.max_ttl], [300, 3600]);
  });

  it('takes a mysql_url from a secret reference, never a literal one with a password', () => {
    const config = parseConfig({ ...base, database: { mysql_url: { env: 'DB_URL' } } }, { env });
    assert.deepEqual(resolveMysqlConnection(config.database!, { DB_URL: 'mysql://vault%40admin:p%3Ass@[::1]:3307' }), {
      host: '::1', port: 3307, username: 'vault@admin', password: 'p:ss',
    });
    assert.equal(resolveMysqlConnection(parseConfig({ ...base, database: { mysql_url: 'mysql://root@db.internal' } }, { env }).database!).host, 'db.internal');
    assert.match(problemsOf({ ...base, database: { mysql_url: 'mysql://root:hunter2@db:3306' } }), /database\.mysql_url: .*\{env: …\} or \{file: …\}/);
    assert.match(problemsOf({ ...base, database: { password: 'hunter2' } }), /database\.password: must be \{env: VARIABLE\} or \{file: PATH\}/);
    assert.throws(() => parseMysqlUrl('postgres://x@y'), /mysql:\/\/user/);
  });

  it('names the field of every database mistake', () => {
    assert.match(problemsOf({ ...base, database: { mysql_url: { env: 'X' }, host: 'h' } }), /database: give either mysql_url or host/);
    assert.match(problemsOf({ ...base, database: { credentials_ttl: '2h', credentials_max_ttl: '1h' } }), /database\.credentials_ttl: must not exceed credentials_max_ttl/);
    assert.match(problemsOf({ ...base, applications: { chatbot: { database_schema: 'demo`; DROP' } }, database: {} }), /applications\.chatbot\.database_schema: must match/);
    assert.match(problemsOf({ ...base, applications: { chatbot: { database_schema: 'demo' } } }), /applications\.chatbot\.database_schema: needs the top-level database section/);
    assert.match(problemsOf({ ...base, applications: { chatbot: { service_role: { token_ttl: '2d' } } } }), /applications\.chatbot\.service_role\.token_ttl: a positive duration/);
    assert.match(problemsOf({ ...base, applications: { chatbot: { service_role: { token_ttl: '48h' } } } }), /applications\.chatbot\.service_role\.token_ttl: must not exceed token_max_ttl \(24h\)/);
  });

  it('resolves a password file relative to the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ib-config-db-'));
    writeFileSync(join(dir, 'mysql-password'), 's3cret\n');
    writeFileSync(join(dir, 'broker.yaml'), 'openbao: {}\napplications: {chatbot: {}}\ndatabase: {host: db, username: vault, password: {file: mysql-password}}\n');
    const config = loadConfig(join(dir, 'broker.yaml'), env);
    assert.equal(resolveMysqlConnection(config.database!).password, 's3cret');
  });

  it('service_role adds the <app>-service policy and AppRole role only where set', () => {
    const config = parseConfig({ ...base, applications: { chatbot: { service_role: { token_ttl: '15m' } }, other: {} } }, { env });
    const state = desiredState(config);
    assert.deepEqual(state.serviceRoles.map((r) => [r.name, r.fields.token_policies, r.fields.token_ttl, r.fields.token_no_default_policy]), [
      ['chatbot-service', ['chatbot-service'], 900, true],
    ]);
    const policy = state.policies.find((p) => p.name === 'chatbot-service')?.hcl ?? '';
    assert.deepEqual([...policy.matchAll(/^path "([^"]+)"/gm)].map((m) => m[1]), ['auth/token/create/chatbot-user']);
    assert.equal(state.policies.some((p) => p.name === 'other-service'), false);
  });
});
