import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CreateEntityResponse } from '../../src/contract/entities.js';
import { startBao } from '../helpers/bao.js';
import { assertNoSecretsLeaked, startTestBroker } from '../helpers/broker.js';

const bao = await startBao();
const broker = await startTestBroker(bao);
const issuedTokens: string[] = [];

async function issue(userIdentifier: string, extra: Record<string, unknown> = {}, clientId = 'chatbot-app'): Promise<CreateEntityResponse> {
  const res = await broker.post('/v1/entities', { application: 'chatbot', user_identifier: userIdentifier, ...extra }, clientId);
  const body = await res.json();
  assert.equal(res.status, 201, JSON.stringify(body));
  issuedTokens.push(body.user_token);
  return body;
}

describe('POST /v1/entities → 201', () => {
  it('returns the contract body for a new user', async () => {
    const started = Date.now();
    const body = await issue('alice', { ttl: '30m', user_context: { session_id: 's-1', channel: 'web' } });
    assert.deepEqual(Object.keys(body).sort(), [
      'entity_alias', 'entity_id', 'expires_at', 'num_uses', 'policies', 'renewable', 'token_accessor', 'ttl', 'user_token',
    ]);
    assert.match(body.entity_id, /^[0-9a-f-]{36}$/);
    assert.equal(body.entity_alias, 'chatbot:alice');
    assert.deepEqual(body.policies, ['chatbot-user']);
    assert.equal(body.ttl, 1800);
    assert.equal(body.num_uses, 500);
    assert.equal(body.renewable, false);
    const expires = Date.parse(body.expires_at);
    assert.ok(expires >= started + 1790_000 && expires <= Date.now() + 1800_000, body.expires_at);
  });

  it('same user again → same entity_id, new token', async () => {
    const first = await issue('bob');
    const second = await issue('bob');
    assert.equal(second.entity_id, first.entity_id);
    assert.notEqual(second.user_token, first.user_token);
    const other = await issue('carol');
    assert.notEqual(other.entity_id, first.entity_id);
  });

  it('defaults ttl to the application default and accepts client_id equal to the caller', async () => {
    const body = await issue('dave', { client_id: 'chatbot-app' });
    assert.equal(body.ttl, 3600);
  });

  it('issues the same user separate entities per application (aliases are namespaced)', async () => {
    const chat = await issue('erin', {}, 'both-app');
    const res = await broker.post('/v1/entities', { application: 'analytics', user_identifier: 'erin' }, 'both-app');
    const analytics = await res.json();
    issuedTokens.push(analytics.user_token);
    assert.equal(res.status, 201);
    assert.notEqual(analytics.entity_id, chat.entity_id);
    assert.deepEqual(analytics.policies, ['analytics-user']);
    assert.equal(analytics.ttl, 600);
  });
});

describe('the user token, read back from OpenBao', () => {
  it('is non-renewable, bounded, use-limited and carries only the application policy', async () => {
    const body = await issue('frank', { ttl: '2h' });
    const self = await bao.root.withToken(body.user_token).token.lookupSelf();
    assert.equal(self.renewable, false);
    assert.ok(self.ttl <= 7200 && self.ttl > 7000, `ttl ${self.ttl}`);
    assert.equal(self.creation_ttl, 7200);
    assert.equal(self.num_uses, 499, 'lookup-self itself spends one of 500 uses');
    assert.deepEqual(self.policies, ['chatbot-user']);
    assert.ok(!self.policies.includes('root') && !self.policies.includes('default'));
    assert.equal(self.orphan, true);
    assert.equal(self.entity_id, body.entity_id);
    assert.deepEqual(self.meta, { application: 'chatbot', client_id: 'chatbot-app', user_identifier: 'frank', created_by: 'identity-broker' });
  });

  it('cannot create tokens, write identity, read sys/*, or touch other users or applications', async () => {
    const mine = await issue('grace');
    const theirs = await issue('heidi');
    const user = bao.root.withToken(mine.user_token);
    await assert.rejects(user.token.create({ policies: ['chatbot-user'] }), { status: 403 });
    await assert.rejects(user.token.createWithRole('chatbot-user', { entity_alias: 'chatbot:mallory' }), { status: 403 });
    await assert.rejects(user.identity.createEntity({ name: 'evil' }), { status: 403 });
    await assert.rejects(user.identity.readEntity(theirs.entity_id), { status: 403 });
    await assert.rejects(user.identity.readEntity(mine.entity_id), { status: 403 }, 'not even its own entity: policies live there');
    await assert.rejects(user.sys.listMounts(), { status: 403 });
    await assert.rejects(user.sys.listAuth(), { status: 403 });
    await assert.rejects(user.sys.readPolicy('chatbot-user'), { status: 403 });
    await assert.rejects(user.sys.capabilitiesSelf(['sys/mounts']), { status: 403 });
    // Its own KV path works; another user's does not.
    await user.kv.write('kv', `chatbot/users/${mine.entity_id}/profile`, { theme: 'dark' });
    assert.deepEqual((await user.kv.read('kv', `chatbot/users/${mine.entity_id}/profile`))?.data, { theme: 'dark' });
    await assert.rejects(user.kv.read('kv', `chatbot/users/${theirs.entity_id}/profile`), { status: 403 });
    await assert.rejects(user.kv.write('kv', `chatbot/users/${theirs.entity_id}/profile`, { x: 1 }), { status: 403 });
    await assert.rejects(user.kv.read('kv', `analytics/users/${mine.entity_id}/profile`), { status: 403 });
    // Another application's database role.
    await assert.rejects(user.database.readCreds('analytics-users'), { status: 403 });
    // It can end itself.
    await user.token.revokeSelf();
    await assert.rejects(user.token.lookupSelf(), { status: 403 });
  });
});

describe("the seed's security boundaries", () => {
  it("user1's token cannot read user2's entity", async () => {
    const user1 = await issue('user1');
    const user2 = await issue('user2');
    await assert.rejects(bao.root.withToken(user1.user_token).identity.readEntity(user2.entity_id), { status: 403 });
  });

  it("the application's own credentials cannot create entities or read admin endpoints", async () => {
    // What an application holds: its broker API key (useless against OpenBao) and at most a
    // token with OpenBao's default policy.
    const appToken = (await bao.root.token.create({ policies: ['default'], ttl: '10m' })).client_token;
    for (const token of [appToken, broker.keys['chatbot-app'] as string]) {
      const app = bao.root.withToken(token);
      await assert.rejects(app.identity.createEntity({ name: 'test' }), { status: 403 });
      await assert.rejects(app.sys.readPolicy('test'), { status: 403 });
      await assert.rejects(app.sys.listAuth(), { status: 403 });
      await assert.rejects(app.sys.listMounts(), { status: 403 });
      await assert.rejects(app.identity.readEntity('arbitrary-entity'), { status: 403 });
    }
  });

  it('no policy per user: OpenBao holds only the bootstrap policies after issuing', async () => {
    const policies = await bao.root.sys.listPolicies();
    assert.deepEqual(policies.sort(), ['analytics-user', 'billing-user', 'chatbot-user', 'default', 'identity-broker', 'root']);
  });
});

describe('secrets', () => {
  it('no issued token, API key or broker credential appears in logs or audit', async () => {
    const audit = await broker.audit();
    assert.ok(audit.includes('"outcome":"issued"'), 'audit records exist');
    const checked = await assertNoSecretsLeaked(broker, [...issuedTokens, ...Object.values(broker.keys), bao.rootToken]);
    assert.ok(checked > 10);
  });
});
