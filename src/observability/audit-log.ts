import { createHmac, randomBytes } from 'node:crypto';
import { closeSync, createWriteStream, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { chainHash, GENESIS_HASH, parseAuditLine } from './audit-verify.js';

export type AuditOutcome =
  | 'invalid_request'
  | 'unauthenticated'
  | 'client_mismatch'
  | 'application_not_authorized'
  | 'rate_limited'
  | 'issued'
  | 'upstream_error';

const OUTCOMES: ReadonlySet<string> = new Set<AuditOutcome>([
  'invalid_request', 'unauthenticated', 'client_mismatch', 'application_not_authorized', 'rate_limited', 'issued', 'upstream_error',
]);

/** What callers pass. The raw accessor is never written, only its HMAC. */
export interface AuditEvent {
  request_id: string;
  source_address: string;
  outcome: AuditOutcome;
  latency_ms: number;
  client_id?: string;
  application?: string;
  user_identifier?: string;
  entity_id?: string;
  token_accessor?: string;
  /** Short machine-ish reason, e.g. "ttl exceeds max". */
  reason?: string;
}

export interface AuditRecord extends Omit<AuditEvent, 'token_accessor'> {
  seq: number;
  time: string;
  token_accessor_hmac?: string;
  prev_hash: string;
  hash: string;
}

export interface AuditLog {
  record(event: AuditEvent): void;
  close(): Promise<void>;
}

// Only these are copied from an event: anything else a caller smuggles in is dropped.
const OPTIONAL_STRINGS = ['client_id', 'application', 'user_identifier', 'entity_id'] as const;

export function hmacAccessor(key: string | Buffer, accessor: string): string {
  return createHmac('sha256', key).update(accessor).digest('hex');
}

interface ChainHead {
  seq: number;
  hash: string;
}

/** Assigns seq and hash in call order; the head advances only once a record is complete. */
function createChain(key: string | Buffer, head: ChainHead): { next(event: AuditEvent): AuditRecord } {
  return {
    next(event) {
      if (typeof event.request_id !== 'string' || typeof event.source_address !== 'string') throw new TypeError('audit event needs request_id and source_address');
      if (!OUTCOMES.has(event.outcome)) throw new TypeError(`unknown audit outcome: ${String(event.outcome)}`);
      if (!Number.isFinite(event.latency_ms)) throw new TypeError('audit event latency_ms must be a finite number');
      const body: Record<string, unknown> = {
        seq: head.seq + 1,
        time: new Date().toISOString(),
        request_id: event.request_id,
        source_address: event.source_address,
        outcome: event.outcome,
        latency_ms: event.latency_ms,
      };
      for (const field of OPTIONAL_STRINGS) if (typeof event[field] === 'string') body[field] = event[field];
      if (typeof event.token_accessor === 'string' && event.token_accessor !== '') body['token_accessor_hmac'] = hmacAccessor(key, event.token_accessor);
      if (typeof event.reason === 'string') body['reason'] = event.reason;
      body['prev_hash'] = head.hash;
      const record = { ...body, hash: chainHash(body as Omit<AuditRecord, 'hash'>) } as AuditRecord;
      head = { seq: record.seq, hash: record.hash };
      return record;
    },
  };
}

function checkedKey(key: string | Buffer): string | Buffer {
  if (key.length === 0) throw new Error('audit log: hmacKey must not be empty');
  return key;
}

/**
 * Where an existing file's chain ends. Only the last line is read (the file may be large);
 * `identity-broker audit verify` checks the whole chain.
 */
function readChainHead(file: string): ChainHead {
  const last = readLastLine(file);
  if (last === undefined) return { seq: 0, hash: GENESIS_HASH };
  if (!last.endsWith('\n')) throw new Error(`audit log ${file}: last line is incomplete (a write was cut off); repair the file before continuing the chain`);
  const parsed = parseAuditLine(last.slice(0, -1));
  if ('problem' in parsed) throw new Error(`audit log ${file}: last line is not a valid audit record (${parsed.problem}); refusing to start a new chain in the middle`);
  return { seq: parsed.record.seq, hash: parsed.record.hash };
}

/** The bytes after the second-to-last newline, or undefined for a missing or empty file. */
function readLastLine(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    let position = fstatSync(fd).size;
    let tail = Buffer.alloc(0);
    while (position > 0) {
      const length = Math.min(64 * 1024, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      readSync(fd, chunk, 0, length, position);
      tail = Buffer.concat([chunk, tail]);
      const newline = tail.length >= 2 ? tail.lastIndexOf(0x0a, tail.length - 2) : -1;
      if (newline !== -1) return tail.subarray(newline + 1).toString('utf8');
    }
    return tail.length === 0 ? undefined : tail.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Appends one JSON line per record through a write stream, so record() never blocks on disk.
 * After a write error the log fails closed: record() throws and close() rejects.
 */
export function createFileAuditLog(options: { file: string; hmacKey: string | Buffer }): AuditLog {
  const key = checkedKey(options.hmacKey);
  const toStdout = options.file === '-';
  const file = toStdout ? 'stdout' : resolve(options.file);
  if (!toStdout) mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // stdout cannot be read back, so its chain always starts afresh.
  const chain = createChain(key, toStdout ? { seq: 0, hash: GENESIS_HASH } : readChainHead(file));
  const stream = toStdout ? process.stdout : createWriteStream(file, { flags: 'a', mode: 0o600, flush: true });
  let failure: Error | undefined;
  let closed: Promise<void> | undefined;
  const onError = (error: Error): void => {
    failure ??= error;
  };
  stream.on('error', onError);
  // Subscribed now: after a write error the stream closes on its own, maybe before close().
  const fileClosed = toStdout ? undefined : new Promise<void>((done) => stream.once('close', done));
  const finish = async (): Promise<void> => {
    if (fileClosed) {
      stream.end();
      return fileClosed;
    }
    // stdout stays open for others: wait for our last write, then let go of it.
    await new Promise<void>((done) => stream.write('', () => done()));
    stream.off('error', onError);
  };
  const failed = (): Error => new Error(`audit log ${file}: write failed: ${failure?.message}`, { cause: failure });
  // Lines of one event-loop turn go out in one write: a write per record costs more CPU
  // (a thread-pool round trip) than computing the record does.
  let pending: string[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    const batch = pending.join('');
    pending = [];
    stream.write(batch);
  };
  return {
    record(event) {
      if (failure) throw failed();
      if (closed) throw new Error(`audit log ${file} is closed`);
      pending.push(`${JSON.stringify(chain.next(event))}\n`);
      if (pending.length === 1) setImmediate(flush);
    },
    async close() {
      flush();
      closed ??= finish();
      await closed;
      if (failure) throw failed();
    },
  };
}

/** In-memory log for unit tests of code that audits. */
export function createMemoryAuditLog(options: { hmacKey?: string } = {}): AuditLog & { records: AuditRecord[] } {
  const chain = createChain(checkedKey(options.hmacKey ?? randomBytes(32)), { seq: 0, hash: GENESIS_HASH });
  const records: AuditRecord[] = [];
  return {
    records,
    record(event) {
      records.push(chain.next(event));
    },
    async close() {},
  };
}
