import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { USER_IDENTIFIER_PATTERN } from '../contract/names.js';
import { deriveUserIdentifier, pythonJsonDumps } from './user-identifier.js';

// Vectors computed with the seed's own Python (_generate_user_identifier, with time.time()
// replaced by the given instant): the derivation must match it byte for byte.
const HOUR = 1767225600_000; // 2026-01-01T00:00:00Z, the start of bucket 490896
const alice = { session_id: 'sess-123', ip_address: '203.0.113.7', user_agent: 'Mozilla/5.0' };

describe('deriveUserIdentifier', () => {
  it("matches the seed's Python derivation", () => {
    assert.equal(deriveUserIdentifier(alice, { now: HOUR }), 'aeda0ced8ecf408f');
    const unicode = { session_id: 'séss-ü😀', ip_address: '2001:db8::1', user_agent: 'curl/8 "x"\n' };
    assert.equal(deriveUserIdentifier(unicode, { now: new Date(HOUR) }), '33cb527243624b41');
  });

  it('serialises like json.dumps(sort_keys=True), ensure_ascii included', () => {
    assert.equal(pythonJsonDumps({ b: 'é😀', a: 'x"y' }), '{"a": "x\\"y", "b": "\\u00e9\\ud83d\\ude00"}');
  });

  it('is deterministic within an hour bucket and changes with the next one', () => {
    const first = deriveUserIdentifier(alice, { now: HOUR });
    assert.equal(deriveUserIdentifier(alice, { now: HOUR + 3599_999 }), first);
    assert.notEqual(deriveUserIdentifier(alice, { now: HOUR + 3600_000 }), first);
    assert.notEqual(deriveUserIdentifier(alice, { now: HOUR - 1 }), first);
  });

  it('depends on the session, the address and the user agent', () => {
    const base = deriveUserIdentifier(alice, { now: HOUR });
    for (const changed of [{ session_id: 'sess-124' }, { ip_address: '203.0.113.8' }, { user_agent: 'Mozilla/5.1' }]) {
      assert.notEqual(deriveUserIdentifier({ ...alice, ...changed }, { now: HOUR }), base, JSON.stringify(changed));
    }
    // Absent address and agent hash as empty strings, as in the seed.
    assert.equal(deriveUserIdentifier({ session_id: 's' }, { now: HOUR }), deriveUserIdentifier({ session_id: 's', ip_address: '', user_agent: '' }, { now: HOUR }));
  });

  it('always yields 16 hex characters valid under the contract pattern', () => {
    for (let i = 0; i < 500; i++) {
      const id = deriveUserIdentifier({ session_id: `s-${i}`, ip_address: `10.0.0.${i % 256}` }, { now: HOUR + i * 977_000 });
      assert.match(id, /^[0-9a-f]{16}$/);
      assert.ok(USER_IDENTIFIER_PATTERN.test(id));
    }
  });

  it('refuses a missing session id instead of merging users behind one address', () => {
    assert.throws(() => deriveUserIdentifier({ session_id: '' }, { now: HOUR }), TypeError);
    assert.throws(() => deriveUserIdentifier({} as never, { now: HOUR }), TypeError);
  });
});
