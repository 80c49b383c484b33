import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OpenBaoRequestError, OperationLogConflictError } from './errors.js';
import { appendOperation, OPERATION_LOG_SIZE, toRecord, type OperationRecord, type VersionedStore } from './operation-log.js';

/** KV v2 check-and-set in memory (our own port, for the loop's logic; the real one is tested against OpenBao). */
function memoryStore(options: { interfere?: (attempt: number) => boolean } = {}) {
  let state: { data: Record<string, unknown> | null; version: number } | undefined;
  let writes = 0;
  const store: VersionedStore = {
    read: async () => state && structuredClone(state),
    write: async (data, cas) => {
      writes++;
      if (options.interfere?.(writes)) state = { data: state?.data ?? null, version: (state?.version ?? 0) + 1 };
      if ((state?.version ?? 0) !== cas) throw new OpenBaoRequestError('POST', 'kv/data/x', 400, ['check-and-set parameter did not match the current version']);
      state = { data: structuredClone(data), version: cas + 1 };
      return state.version;
    },
  };
  return { store, writes: () => writes };
}

const op = (n: number): OperationRecord => toRecord({ operation: 'op', seq: n, timestamp: new Date(Date.UTC(2030, 0, 1, 0, 0, n)).toISOString() }, () => new Date());

describe('appendOperation', () => {
  it('keeps the last OPERATION_LOG_SIZE records, oldest first, and the latest activity', async () => {
    const { store } = memoryStore();
    let last;
    for (let i = 0; i < 13; i++) last = await appendOperation(store, op(i));
    assert.deepEqual(last?.operations.map((r) => r['seq']), [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert.equal(last?.operations.length, OPERATION_LOG_SIZE);
    assert.equal(last?.last_activity, op(12).timestamp);
    assert.equal(last?.version, 13);
  });

  it('never moves last_activity backwards for a late, older record', async () => {
    const { store } = memoryStore();
    await appendOperation(store, op(30));
    assert.equal((await appendOperation(store, op(5))).last_activity, op(30).timestamp);
  });

  it('re-reads and retries after a check-and-set conflict', async () => {
    const { store, writes } = memoryStore({ interfere: (n) => n <= 2 });
    const log = await appendOperation(store, op(1), { random: () => 0 });
    assert.equal(writes(), 3);
    assert.equal(log.version, 3, 'two foreign versions, then ours');
  });

  it('gives up after maxAttempts with OperationLogConflictError, and passes other errors through', async () => {
    const { store } = memoryStore({ interfere: () => true });
    await assert.rejects(appendOperation(store, op(1), { maxAttempts: 4, random: () => 0 }), (e: unknown) => e instanceof OperationLogConflictError && e.attempts === 4);
    const failing: VersionedStore = { read: async () => undefined, write: async () => Promise.reject(new OpenBaoRequestError('POST', 'kv/data/x', 403, ['permission denied'])) };
    await assert.rejects(appendOperation(failing, op(1)), { status: 403 });
  });
});
