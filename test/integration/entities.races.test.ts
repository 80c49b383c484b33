import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startBao } from '../helpers/bao.js';
import { assertNoSecretsLeaked, startTestBroker } from '../helpers/broker.js';

const bao = await startBao();
const broker = await startTestBroker(bao);
const tokens: string[] = [];

async function issue(userIdentifier: string): Promise<{ status: number; entityId: string }> {
  const res = await broker.post('/v1/entities', { application: 'chatbot', user_identifier: userIdentifier }, 'chatbot-app');
  const body = await res.json();
  if (res.status === 201) tokens.push(body.user_token);
  return { status: res.status, entityId: body.entity_id };
}

describe('races: concurrent requests never make duplicate identities', () => {
  it('50 concurrent requests for one new user → all 201, one entity', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => issue('race-single')));
    assert.deepEqual(new Set(results.map((r) => r.status)), new Set([201]));
    const ids = new Set(results.map((r) => r.entityId));
    assert.equal(ids.size, 1, `entity ids: ${[...ids].join(', ')}`);
    const aliases = (await bao.root.identity.listEntityAliases()).filter((a) => a.name === 'chatbot:race-single');
    assert.equal(aliases.length, 1);
    assert.equal(aliases[0]?.entityId, [...ids][0]);
  });

  it('100 users × 5 concurrent requests → exactly 100 entities, one alias each', async () => {
    const users = Array.from({ length: 100 }, (_, i) => `race-user-${i}`);
    // Round-robin: all 500 are in flight at once, each user's five spread across the batch.
    const requests = Array.from({ length: 5 }, () => users).flat();
    const results = await Promise.all(requests.map(async (user) => ({ user, ...(await issue(user)) })));
    assert.ok(results.every((r) => r.status === 201), 'all 201');
    const byUser = new Map<string, Set<string>>();
    for (const r of results) byUser.set(r.user, (byUser.get(r.user) ?? new Set()).add(r.entityId));
    for (const [user, ids] of byUser) assert.equal(ids.size, 1, `${user} got ${ids.size} entities`);

    const aliases = (await bao.root.identity.listEntityAliases()).filter((a) => a.name.startsWith('chatbot:race-user-'));
    assert.equal(aliases.length, 100);
    assert.equal(new Set(aliases.map((a) => a.entityId)).size, 100);
    for (const alias of aliases) {
      const user = alias.name.slice('chatbot:'.length);
      assert.equal([...(byUser.get(user) ?? [])][0], alias.entityId, user);
    }
  });

  it('leaks no token into logs or audit', async () => {
    assert.ok((await assertNoSecretsLeaked(broker, [...tokens, ...Object.values(broker.keys)])) >= 550);
  });
});
