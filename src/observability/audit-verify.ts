import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { AuditRecord } from './audit-log.js';

/**
 * The rules of a valid audit chain, shared by the verifier and by the writer, which continues
 * an existing file only from a valid record. A plain SHA-256 chain shows edits, deletions and
 * reordering; someone able to rewrite the whole tail could recompute it, so ship the latest
 * hash off the host when that matters.
 */
export const GENESIS_HASH = '0'.repeat(64);
const HEX64 = /^[0-9a-f]{64}$/;

/** JSON with object keys sorted, so the hash does not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const members = Object.keys(object)
      .sort()
      .filter((key) => object[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(object[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}

export function chainHash(recordWithoutHash: Omit<AuditRecord, 'hash'>): string {
  return createHash('sha256').update(`${recordWithoutHash.prev_hash}\n${canonicalJson(recordWithoutHash)}`).digest('hex');
}

export type ParsedLine = { record: AuditRecord } | { problem: string; seq?: number };

/** Checks one line on its own: a record, self-consistent, byte-identical to what the writer writes. */
export function parseAuditLine(line: string): ParsedLine {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { problem: 'unparsable line (not JSON)' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { problem: 'unparsable line (not a JSON object)' };
  const { hash, ...rest } = parsed as Record<string, unknown>;
  const seq = Number.isSafeInteger(rest['seq']) && (rest['seq'] as number) > 0 ? (rest['seq'] as number) : undefined;
  if (seq === undefined || typeof hash !== 'string' || !HEX64.test(hash) || typeof rest['prev_hash'] !== 'string' || !HEX64.test(rest['prev_hash'])) {
    return { problem: 'not an audit record (seq, prev_hash or hash missing or malformed)' };
  }
  if (chainHash(rest as Omit<AuditRecord, 'hash'>) !== hash) return { problem: 'hash mismatch: the record was altered', seq };
  // Catches edits the parsed value hides: duplicate keys, added whitespace, CRLF.
  if (JSON.stringify(parsed) !== line) return { problem: 'line was re-encoded: not byte-identical to its record', seq };
  return { record: parsed as AuditRecord };
}

export interface AuditVerification {
  ok: boolean;
  records: number;
  firstProblem?: { line: number; seq?: number; reason: string };
}

/** Walks the whole file and reports the first line that breaks the chain. */
export function verifyAuditFile(path: string): AuditVerification {
  let previous = { seq: 0, hash: GENESIS_HASH };
  let line = 0;
  for (const { text, terminated } of readLines(path)) {
    line += 1;
    const parsed = parseAuditLine(text);
    if (!terminated) {
      const seq = 'record' in parsed ? parsed.record.seq : parsed.seq;
      return failed(line, seq, 'incomplete last line (no trailing newline): a write was cut off or the file truncated');
    }
    if ('problem' in parsed) return failed(line, parsed.seq, parsed.problem);
    const broken = linkProblem(parsed.record, previous);
    if (broken) return failed(line, parsed.record.seq, broken);
    previous = { seq: parsed.record.seq, hash: parsed.record.hash };
  }
  return { ok: true, records: line };
}

function failed(line: number, seq: number | undefined, reason: string): AuditVerification {
  return { ok: false, records: line - 1, firstProblem: { line, ...(seq !== undefined ? { seq } : {}), reason } };
}

function linkProblem(record: AuditRecord, previous: { seq: number; hash: string }): string | undefined {
  const expected = previous.seq + 1;
  if (record.seq > expected) return `seq gap: expected ${expected}, found ${record.seq} (a record was deleted or moved)`;
  if (record.seq < expected) return `seq ${record.seq} after seq ${previous.seq}: records reordered or duplicated`;
  if (record.prev_hash !== previous.hash) return "prev_hash does not match the previous record's hash (a record was replaced)";
  return undefined;
}

/** Reads line by line with a fixed buffer, so a large log is never held in memory whole. */
function* readLines(path: string): Generator<{ text: string; terminated: boolean }> {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const decoder = new StringDecoder('utf8');
    let pending = '';
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) {
      pending += decoder.write(buffer.subarray(0, read));
      let start = 0;
      for (let newline = pending.indexOf('\n'); newline !== -1; newline = pending.indexOf('\n', start)) {
        yield { text: pending.slice(start, newline), terminated: true };
        start = newline + 1;
      }
      pending = pending.slice(start);
    }
    pending += decoder.end();
    if (pending !== '') yield { text: pending, terminated: false };
  } finally {
    closeSync(fd);
  }
}
