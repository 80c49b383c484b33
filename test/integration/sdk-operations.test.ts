import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBrokerSessions, IdentityBrokerClient, OPERATION_LOG_SIZE, type OperationLog } from '../../src/sdk/index.js';
import { startBao } from '../helpers/bao.js';
import { startTestBroker } from '../helpers/broker.js';

const bao = await startBao();
const broker = await startTestBroker(bao);
const sessions = createBrokerSessions({
  broker: new IdentityBrokerClient({ baseUrl: broker.url, apiKey: broker.keys['chatbot-app'] as string }),
  application: 'chatbot',
  openbaoAddr: bao.addr,
});
let seq = 0;
const newSession = () => sessions.initializeUserSession({ session_id: `ops-${process.pid}-${seq++}` });

describe('operation log isolation', () => {
  it("user1 can neither read nor write user2's operation log", async () => {
    const user2 = await newSession();
    await user2.recordOperation({ operation: 'database_query', database_user: 'v-user2' });
    const before = await user2.readOperations();

    // user1's raw token, as an attacker holding it would use it.
    const res = await broker.post('/v1/entities', { application: 'chatbot', user_identifier: `intruder-${process.pid}` }, 'chatbot-app');
    const user1 = (await res.json()) as { user_token: string; entity_id: string };
    const asUser1 = bao.root.withToken(user1.user_token);
    await assert.rejects(asUser1.kv.read('kv', user2.operationsPath), { status: 403 });
    await assert.rejects(asUser1.kv.write('kv', user2.operationsPath, { operations: [], last_activity: null }), { status: 403 });
    await assert.rejects(asUser1.kv.deleteAll('kv', user2.operationsPath), { status: 403 });
    // Control: its own log is writable, so the 403s above are about whose path it is.
    await asUser1.kv.write('kv', `chatbot/users/${user1.entity_id}/operations`, { operations: [], last_activity: null }, { cas: 0 });

    assert.deepEqual(await user2.readOperations(), before, "user2's log is unchanged");
    await user2.end();
  });

  it('rejects a malformed operation before any call', async () => {
    const session = await newSession();
    await assert.rejects(session.recordOperation({ operation: '' }), TypeError);
    await assert.rejects(session.recordOperation({ operation: 'x', blob: 'y'.repeat(2000) }), TypeError);
    assert.equal((await session.readOperations()).version, 0, 'nothing was written');
    await session.end();
  });
});

describe('recordOperation under concurrency (check-and-set)', () => {
  it('20 concurrent calls: each commits exactly once, the log holds the last 10 in commit order', async () => {
    const session = await newSession();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => session.recordOperation({ operation: 'chat_message', seq: i, timestamp: new Date(Date.UTC(2030, 0, 1, 0, 0, i)).toISOString() })),
    );
    assertCompleteHistory(results, await session.readOperations(), 20);
    const left = await session.lookup();
    assert.ok(left.num_uses > 0, `the token still has uses left (${left.num_uses})`);
    await session.end();
  });

  it('two sessions of the same user (two replicas) writing at once lose nothing either', async () => {
    const context = { session_id: `replicas-${process.pid}` };
    const [a, b] = [await sessions.initializeUserSession(context), await sessions.initializeUserSession(context)];
    assert.equal(a.entityId, b.entityId, 'same user, same entity');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).recordOperation({ operation: i % 2 ? 'replica_a' : 'replica_b', seq: i })),
    );
    assertCompleteHistory(results, await a.readOperations(), 20);
    await Promise.all([a.end(), b.end()]);
  });
});

/**
 * Every call made one version (1..n, none shared, none skipped), each call's own record
 * is the newest entry of the state it committed, and the final state is the last
 * OPERATION_LOG_SIZE records by version with last_activity the latest timestamp.
 */
function assertCompleteHistory(results: OperationLog[], final: OperationLog, n: number): void {
  const versions = results.map((r) => r.version).sort((x, y) => x - y);
  assert.deepEqual(versions, Array.from({ length: n }, (_, i) => i + 1));
  const byVersion = [...results].sort((x, y) => x.version - y.version);
  const committed = byVersion.map((r) => r.operations.at(-1));
  for (const r of results) assert.ok(r.operations.length <= OPERATION_LOG_SIZE);
  assert.equal(final.version, n);
  assert.deepEqual(final.operations, committed.slice(-OPERATION_LOG_SIZE));
  assert.deepEqual(new Set(committed.map((op) => op?.['seq'])).size, n, 'every record was committed once');
  const latest = committed.map((op) => op?.timestamp as string).sort().at(-1);
  assert.equal(final.last_activity, latest);
}
