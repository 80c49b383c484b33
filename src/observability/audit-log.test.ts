import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { registerAudit } from '../cli/audit.js';
import { CliError } from '../cli/errors.js';
import { createFileAuditLog, createMemoryAuditLog, hmacAccessor, type AuditEvent, type AuditRecord } from './audit-log.js';
import { GENESIS_HASH, verifyAuditFile } from './audit-verify.js';

const hmacKey = 'test-hmac-key';
const accessor = 'Fq2n8aXhR1xZ0bGv7yKcLmP3';

// The parent directory does not exist yet: the log creates it.
function tempLogFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'audit-log-')), 'audit', 'broker.log');
}

function event(n: number, extra: Partial<AuditEvent> = {}): AuditEvent {
  return { request_id: `req-${n}`, source_address: '10.0.0.7', outcome: 'issued', latency_ms: 12.5, client_id: 'chatbot-app', ...extra };
}

async function writeRecords(file: string, count: number, first = 1): Promise<void> {
  const log = createFileAuditLog({ file, hmacKey });
  for (let n = first; n < first + count; n++) log.record(event(n));
  await log.close();
}

function linesOf(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').slice(0, -1);
}

function rewriteLines(file: string, edit: (lines: string[]) => string[]): void {
  writeFileSync(file, `${edit(linesOf(file)).join('\n')}\n`);
}

describe('audit log', () => {
  it('chains records and verifies them', async () => {
    const file = tempLogFile();
    await writeRecords(file, 5);
    const records = linesOf(file).map((line) => JSON.parse(line) as AuditRecord);
    assert.deepEqual(records.map((r) => r.seq), [1, 2, 3, 4, 5]);
    assert.equal(records[0]?.prev_hash, GENESIS_HASH);
    for (let i = 1; i < records.length; i++) assert.equal(records[i]?.prev_hash, records[i - 1]?.hash);
    assert.deepEqual(verifyAuditFile(file), { ok: true, records: 5 });
    if (process.platform !== 'win32') assert.equal(statSync(dirname(file)).mode & 0o777, 0o700);
  });

  it('continues the chain of an existing file after a reopen', async () => {
    const file = tempLogFile();
    await writeRecords(file, 3);
    await writeRecords(file, 2, 4);
    assert.deepEqual(linesOf(file).map((line) => (JSON.parse(line) as AuditRecord).seq), [1, 2, 3, 4, 5]);
    assert.deepEqual(verifyAuditFile(file), { ok: true, records: 5 });
  });

  it('refuses to continue a file whose last line is not a valid record', async () => {
    const file = tempLogFile();
    await writeRecords(file, 2);
    appendFileSync(file, '{"seq":3}\n');
    assert.throws(() => createFileAuditLog({ file, hmacKey }), (error: Error) => error.message.includes(file) && /not a valid audit record/.test(error.message));
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, -5));
    assert.throws(() => createFileAuditLog({ file, hmacKey }), /incomplete/);
  });

  it('reports an edited field of a middle record at its line', async () => {
    const file = tempLogFile();
    await writeRecords(file, 5);
    rewriteLines(file, (lines) => lines.map((line, i) => (i === 2 ? line.replace('"outcome":"issued"', '"outcome":"rate_limited"') : line)));
    const result = verifyAuditFile(file);
    assert.equal(result.ok, false);
    assert.deepEqual(result.firstProblem, { line: 3, seq: 3, reason: 'hash mismatch: the record was altered' });
  });

  it('reports a deleted middle line as a missing record at that line', async () => {
    const file = tempLogFile();
    await writeRecords(file, 5);
    rewriteLines(file, (lines) => lines.filter((_, i) => i !== 2));
    const problem = verifyAuditFile(file).firstProblem;
    assert.equal(problem?.line, 3);
    assert.equal(problem?.seq, 4);
    assert.match(problem?.reason ?? '', /expected 3, found 4.*deleted/);
  });

  it('reports two swapped lines', async () => {
    const file = tempLogFile();
    await writeRecords(file, 5);
    rewriteLines(file, ([a, b, c, ...rest]) => [a, c, b, ...rest] as string[]);
    const result = verifyAuditFile(file);
    assert.equal(result.ok, false);
    assert.equal(result.firstProblem?.line, 2);
    assert.equal(result.firstProblem?.seq, 3);
  });

  it('reports a truncated last line', async () => {
    const file = tempLogFile();
    await writeRecords(file, 5);
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, -20));
    const result = verifyAuditFile(file);
    assert.equal(result.records, 4);
    assert.equal(result.firstProblem?.line, 5);
    assert.match(result.firstProblem?.reason ?? '', /incomplete last line/);
  });

  it('accepts an empty file as an empty chain', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'audit-log-')), 'empty.log');
    writeFileSync(file, '');
    assert.deepEqual(verifyAuditFile(file), { ok: true, records: 0 });
  });

  it('writes only the HMAC of the token accessor, stable for one key', async () => {
    const file = tempLogFile();
    const log = createFileAuditLog({ file, hmacKey });
    log.record(event(1, { token_accessor: accessor }));
    log.record(event(2, { token_accessor: accessor }));
    await log.close();
    const text = readFileSync(file, 'utf8');
    assert.ok(!text.includes(accessor), 'raw accessor written to the audit log');
    const [first, second] = linesOf(file).map((line) => JSON.parse(line) as AuditRecord);
    assert.equal(first?.token_accessor_hmac, hmacAccessor(hmacKey, accessor));
    assert.equal(second?.token_accessor_hmac, first?.token_accessor_hmac);
    assert.match(first?.token_accessor_hmac ?? '', /^[0-9a-f]{64}$/);
    assert.notEqual(hmacAccessor('another-key', accessor), first?.token_accessor_hmac);
    assert.ok(!('token_accessor' in (first ?? {})));
  });

  it('drops fields that are not part of a record', () => {
    const log = createMemoryAuditLog({ hmacKey });
    log.record({ ...event(1), token: 'hvs.secret', api_key: 'ibk_secret' } as AuditEvent);
    assert.ok(!JSON.stringify(log.records).includes('secret'));
    assert.equal(log.records[0]?.seq, 1);
    assert.equal(log.records[0]?.prev_hash, GENESIS_HASH);
  });

  it('has all of 200 quickly written records on disk, in order, after close()', async () => {
    const file = tempLogFile();
    await writeRecords(file, 200);
    const seqs = linesOf(file).map((line) => (JSON.parse(line) as AuditRecord).seq);
    assert.deepEqual(seqs, Array.from({ length: 200 }, (_, i) => i + 1));
    assert.deepEqual(verifyAuditFile(file), { ok: true, records: 200 });
  });

  it('creates the file with mode 0600', { skip: process.platform === 'win32' }, async () => {
    const file = tempLogFile();
    await writeRecords(file, 1);
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  it('refuses records after close()', async () => {
    const log = createFileAuditLog({ file: tempLogFile(), hmacKey });
    await log.close();
    assert.throws(() => log.record(event(1)), /closed/);
  });
});

describe('identity-broker audit verify', () => {
  async function runVerify(file: string): Promise<void> {
    const program = new Command().exitOverride();
    registerAudit(program);
    await program.parseAsync(['audit', 'verify', file], { from: 'user' });
  }

  it('prints OK for an intact chain', async (t) => {
    const file = tempLogFile();
    await writeRecords(file, 3);
    const log = t.mock.method(console, 'log', () => {});
    await runVerify(file);
    assert.deepEqual(log.mock.calls.map((call) => call.arguments), [['audit log OK: 3 records, chain intact']]);
  });

  it('fails with exit code 1 naming the tampered line', async () => {
    const file = tempLogFile();
    await writeRecords(file, 3);
    rewriteLines(file, (lines) => lines.map((line, i) => (i === 1 ? line.replace('10.0.0.7', '10.0.0.8') : line)));
    await assert.rejects(runVerify(file), (error: unknown) => {
      assert.ok(error instanceof CliError);
      assert.equal(error.exitCode, 1);
      assert.equal(error.message, 'audit log TAMPERED at line 2 (seq 2): hash mismatch: the record was altered');
      return true;
    });
  });
});
