import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { bootstrap } from '../../src/bootstrap/bootstrap.js';
import { servicePolicyHcl } from '../../src/bootstrap/policies.js';
import { createDirectSessions, OpenBaoRequestError } from '../../src/sdk/index.js';
import { startBao } from '../helpers/bao.js';
import { testConfig } from '../helpers/config.js';
import { startTestDatabase } from '../helpers/mysql.js';

// Direct mode needs no broker: bootstrap, then the application logs in to OpenBao itself.
const bao = await startBao();
const db = await startTestDatabase(['chatbot', 'analytics']);
const config = testConfig(bao.addr, {
  applications: db.applications({ chatbot: { service_role: {} }, analytics: { service_role: {} }, billing: {} }),
  database: db.configSection,
});
await bootstrap(bao.root, config);

/** The operator's step: a secret_id for the application's service role. */
async function serviceLogin(app: string): Promise<{ method: 'approle'; roleId: string; secretId: string }> {
  const roleId = await bao.root.approle.readRoleId(`${app}-service`);
  const { secretId } = await bao.root.approle.generateSecretId(`${app}-service`);
  return { method: 'approle', roleId, secretId };
}

describe('bootstrap for direct mode', () => {
  it('writes the service policy and AppRole role, and a second run changes nothing', async () => {
    assert.equal(await bao.root.sys.readPolicy('chatbot-service'), servicePolicyHcl('chatbot'));
    assert.equal(await bao.root.sys.readPolicy('billing-service'), undefined, 'only where service_role is set');
    const role = await bao.root.approle.readRole('chatbot-service');
    assert.deepEqual(role?.token_policies, ['chatbot-service']);
    assert.equal(role?.token_no_default_policy, true);
    assert.equal(role?.token_ttl, 3600);
    assert.deepEqual((await bootstrap(bao.root, config)).changes, []);
  });
});

describe('the service token (AppRole login)', () => {
  it('creates user tokens for its own application, behind the same session interface', async () => {
    const sessions = createDirectSessions({ application: 'chatbot', openbaoAddr: bao.addr, login: await serviceLogin('chatbot'), ttl: '30m' });
    const session = await sessions.initializeUserSession({ session_id: `direct-${process.pid}` });
    assert.match(session.entityId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(session.policies, ['chatbot-user']);
    assert.equal(session.entityAlias, `chatbot:${session.userIdentifier}`);
    const again = await sessions.initializeUserSession({ session_id: `direct-${process.pid}` });
    assert.equal(again.entityId, session.entityId, 'same user, same entity');
    const creds = await session.getDatabaseCredentials();
    assert.equal(((await db.queryAs(creds, 'SELECT COUNT(*) AS n FROM faq', db.schemas['chatbot'])) as { n: number }[])[0]?.n, 3);
    assert.equal((await session.recordOperation({ operation: 'database_query', database_user: creds.username })).version, 1);
    await Promise.all([session.end(), again.end()]);
  });

  it("cannot create tokens for another application's role, by any route", async () => {
    const login = await serviceLogin('chatbot');
    const other = createDirectSessions({ application: 'analytics', openbaoAddr: bao.addr, login });
    await assert.rejects(other.initializeUserSession({ session_id: 'x' }), (e: unknown) => e instanceof OpenBaoRequestError && e.status === 403);
    const service = bao.root.withToken((await bao.root.approle.login(login.roleId, login.secretId)).client_token);
    await assert.rejects(service.token.createWithRole('analytics-user', { entity_alias: 'analytics:x' }), { status: 403 });
    await assert.rejects(service.token.create({ policies: ['analytics-user'] }), { status: 403 });
    // Through its own role, the role's limits hold: no other alias namespace, no other policy.
    await assert.rejects(service.token.createWithRole('chatbot-user', { entity_alias: 'analytics:x' }), { status: 400 });
    await assert.rejects(service.token.createWithRole('chatbot-user', { policies: ['root'] } as never), { status: 400 });
  });

  it('cannot read sys/*, create entities through identity/entity, or read user data', async () => {
    const login = await serviceLogin('chatbot');
    const service = bao.root.withToken((await bao.root.approle.login(login.roleId, login.secretId)).client_token);
    await assert.rejects(service.sys.listMounts(), { status: 403 });
    await assert.rejects(service.sys.listAuth(), { status: 403 });
    await assert.rejects(service.sys.listPolicies(), { status: 403 });
    await assert.rejects(service.sys.readPolicy('chatbot-service'), { status: 403 });
    await assert.rejects(service.sys.capabilitiesSelf(['sys/mounts']), { status: 403 });
    await assert.rejects(service.identity.createEntity({ name: 'evil', policies: ['root'] }), { status: 403 });
    await assert.rejects(service.identity.listEntityIds(), { status: 403 });
    await assert.rejects(service.database.readCreds('chatbot-users'), { status: 403 });
    await assert.rejects(service.kv.read('kv', 'chatbot/users/x/operations'), { status: 403 });
    await assert.rejects(service.token.lookupSelf(), { status: 403 }, 'not even lookup-self: no default policy');
  });

  it('logs in once for concurrent first requests, and again after its token is revoked', async () => {
    const { roleId, secretId } = await serviceLogin('chatbot');
    let logins = 0;
    const sessions = createDirectSessions({
      application: 'chatbot',
      openbaoAddr: bao.addr,
      login: { method: 'approle', roleId, secretId: () => (logins++, secretId) },
    });
    const first = await Promise.all(Array.from({ length: 5 }, (_, i) => sessions.initializeUserSession({ session_id: `burst-${i}` })));
    assert.equal(logins, 1);
    await revokeServiceTokens();
    const after = await sessions.initializeUserSession({ session_id: 'after-revoke' });
    assert.equal(logins, 2);
    await Promise.all([...first, after].map((s) => s.end()));
  });
});

describe('the service token (JWT / Kubernetes-style login)', () => {
  it('a JWT login bound to the same service policy creates user tokens the same way', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await rootWrite('sys/auth/jwt', { type: 'jwt' });
    await rootWrite('auth/jwt/config', { jwt_validation_pubkeys: [publicKey.export({ type: 'spki', format: 'pem' })], bound_issuer: 'https://k8s.test' });
    await rootWrite('auth/jwt/role/chatbot-service', {
      role_type: 'jwt', user_claim: 'sub', bound_audiences: ['openbao'], token_policies: ['chatbot-service'], token_no_default_policy: true, token_ttl: '1h',
    });
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: 'https://k8s.test', aud: 'openbao', sub: 'system:serviceaccount:chatbot:chatbot-sa', iat: now - 5, nbf: now - 5, exp: now + 600 };
    const jwt = signJwt(claims, privateKey);
    const sessions = createDirectSessions({ application: 'chatbot', openbaoAddr: bao.addr, login: { method: 'jwt', mount: 'jwt', role: 'chatbot-service', jwt } });
    const session = await sessions.initializeUserSession({ session_id: 'jwt-user' });
    assert.deepEqual(session.policies, ['chatbot-user']);
    await session.end();
  });
});

async function rootWrite(path: string, body: unknown, method = 'POST'): Promise<unknown> {
  const res = await fetch(`${bao.addr}/v1/${path}`, { method, headers: { 'x-vault-token': bao.rootToken }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  assert.ok(res.ok, `${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Revokes every token that holds the chatbot-service policy (the operator's kill switch). */
async function revokeServiceTokens(): Promise<void> {
  const { data } = (await rootWrite('auth/token/accessors', undefined, 'LIST')) as { data: { keys: string[] } };
  for (const accessor of data.keys) {
    const info = await bao.root.token.lookupAccessor(accessor);
    if (info.policies.includes('chatbot-service')) await bao.root.token.revokeAccessor(accessor);
  }
}

function signJwt(claims: Record<string, unknown>, key: Parameters<typeof sign>[2]): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}
