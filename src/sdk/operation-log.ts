import { z } from 'zod';
import { OperationLogConflictError } from './errors.js';
import { isCasMismatch } from './openbao-http.js';
import { sleep } from './retry.js';

/** How many operations the log keeps, as in the seed's `_log_user_operation`. */
export const OPERATION_LOG_SIZE = 10;

/** One entry: a name, when, and a few flat values (e.g. `database_user`). Kept small. */
export interface OperationInput {
  operation: string;
  /** RFC 3339; defaults to now. */
  timestamp?: string;
  [field: string]: string | number | boolean | null | undefined;
}
export type OperationRecord = { operation: string; timestamp: string } & Record<string, string | number | boolean | null>;

export interface OperationLog {
  /** Oldest first; at most OPERATION_LOG_SIZE. */
  operations: OperationRecord[];
  /** The latest timestamp ever recorded, or null before the first operation. */
  last_activity: string | null;
  /** KV version of this state; every recordOperation that returned made exactly one. */
  version: number;
}

/** What the log needs from KV v2: a versioned read and a check-and-set write. */
export interface VersionedStore {
  read(): Promise<{ data: Record<string, unknown> | null; version: number } | undefined>;
  write(data: Record<string, unknown>, cas: number): Promise<number>;
}

const MAX_RECORD_BYTES = 1024;
const stored = z.object({
  operations: z.array(z.record(z.string(), z.unknown())).catch([]),
  last_activity: z.string().nullable().catch(null),
});

export function toRecord(input: OperationInput, now: () => Date): OperationRecord {
  if (typeof input.operation !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(input.operation)) {
    throw new TypeError('operation must be 1–64 characters of A-Z a-z 0-9 _ . : -');
  }
  const record = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as OperationRecord;
  record.timestamp = input.timestamp ?? now().toISOString();
  if (Buffer.byteLength(JSON.stringify(record)) > MAX_RECORD_BYTES) {
    throw new TypeError(`an operation record must be at most ${MAX_RECORD_BYTES} bytes as JSON`);
  }
  return record;
}

export function parseLog(current: { data: Record<string, unknown> | null; version: number } | undefined): OperationLog {
  if (!current?.data) return { operations: [], last_activity: null, version: current?.version ?? 0 };
  const data = stored.parse(current.data);
  return { operations: data.operations as OperationRecord[], last_activity: data.last_activity, version: current.version };
}

/**
 * Appends one record with check-and-set: read version n, write with cas=n; if another
 * writer got there first OpenBao refuses, and we read again after a jittered pause. Every
 * call that returns made exactly one version, so concurrent writers lose nothing, and the
 * log is the last OPERATION_LOG_SIZE records in commit order.
 */
export async function appendOperation(
  store: VersionedStore,
  record: OperationRecord,
  options: { maxAttempts?: number; baseDelayMs?: number; random?: () => number } = {},
): Promise<OperationLog> {
  const maxAttempts = options.maxAttempts ?? 30;
  const base = options.baseDelayMs ?? 10;
  const random = options.random ?? Math.random;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const current = parseLog(await store.read());
    const operations = [...current.operations, record].slice(-OPERATION_LOG_SIZE);
    const last_activity = current.last_activity && current.last_activity > record.timestamp ? current.last_activity : record.timestamp;
    try {
      const version = await store.write({ operations, last_activity }, current.version);
      return { operations, last_activity, version };
    } catch (error) {
      if (!isCasMismatch(error)) throw error;
      // Full jitter, capped: 20 writers spread out instead of colliding again in lockstep.
      await sleep(Math.round(random() * Math.min(500, base * 2 ** attempt)));
    }
  }
  throw new OperationLogConflictError(maxAttempts);
}
