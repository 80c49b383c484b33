import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../config.js';
import { createMemoryAuditLog } from '../observability/audit-log.js';
import { VaultError } from '../vault/index.js';
import { generateApiKey, hashApiKey } from './api-keys.js';
import { ClientAuthenticator } from './client-auth.js';
import { issueEntity, type IssueEntityDeps } from './issue-entity.js';
import { AuthFailureThrottle, ClientRateLimiter } from './rate-limits.js';
import type { IssueUserToken, UserTokenIssuer } from './user-token-issuer.js';

/** An in-memory implementation of our own issuer port; OpenBao itself is tested elsewhere. */
class RecordingIssuer implements UserTokenIssuer {
  calls: IssueUserToken[] = [];
  revoked: string[] = [];
  failWith: Error | undefined;
  async revoke(accessor: string) {
    this.revoked.push(accessor);
  }
  async issue(request: IssueUserToken) {
    this.calls.push(request);
    if (this.failWith) throw this.failWith;
    return { entityId: `entity-of-${request.entityAlias}`, token: 's.secret', accessor: 'acc-1', policies: ['chatbot-user'], ttlSeconds: 1800, numUses: 500 };
  }
}

const keys = { chat: generateApiKey('chat-client'), slow: generateApiKey('slow-client') };

function setup() {
  const config = parseConfig(
    {
      openbao: { addr: 'http://127.0.0.1:1' },
      applications: { chatbot: { max_ttl: '2h' }, analytics: {} },
      clients: {
        'chat-client': { api_key_hash: hashApiKey(keys.chat), applications: ['chatbot'], rate_limit_per_minute: 1000 },
        'slow-client': { api_key_hash: hashApiKey(keys.slow), applications: ['chatbot'], rate_limit_per_minute: 2 },
      },
    },
    { env: {} },
  );
  const issuer = new RecordingIssuer();
  const audit = createMemoryAuditLog();
  const deps: IssueEntityDeps = {
    applications: config.applications,
    clients: new ClientAuthenticator(config),
    authFailures: new AuthFailureThrottle({ failuresPerMinute: 3 }),
    rateLimiter: new ClientRateLimiter(),
    issuer,
    audit,
    now: () => Date.parse('2026-01-01T00:00:00Z'),
  };
  let n = 0;
  const call = (body: unknown, key: string | null = keys.chat, sourceAddress = '10.0.0.1') =>
    issueEntity(deps, { body, authorization: key ? `Bearer ${key}` : undefined, sourceAddress, requestId: `req-${++n}` });
  return { deps, issuer, audit, call };
}

const valid = { application: 'chatbot', user_identifier: 'alice' };

describe('issueEntity pipeline', () => {
  it('issues with one call carrying alias, ttl and meta, and audits the HMAC of the accessor', async () => {
    const { issuer, audit, call } = setup();
    const result = await call({ ...valid, ttl: '30m' });
    assert.equal(result.kind, 'issued');
    assert.ok(result.kind === 'issued');
    assert.equal(result.response.entity_alias, 'chatbot:alice');
    assert.equal(result.response.expires_at, '2026-01-01T00:30:00.000Z');
    assert.deepEqual(issuer.calls, [
      { application: 'chatbot', entityAlias: 'chatbot:alice', ttl: '30m', meta: { application: 'chatbot', client_id: 'chat-client', user_identifier: 'alice', created_by: 'identity-broker' } },
    ]);
    const [record] = audit.records;
    assert.equal(record?.outcome, 'issued');
    assert.equal(record?.entity_id, 'entity-of-chatbot:alice');
    assert.ok(record?.token_accessor_hmac && !JSON.stringify(audit.records).includes('acc-1'));
    assert.ok(!JSON.stringify(audit.records).includes('s.secret'));
  });

  it('uses the application default ttl', async () => {
    const { issuer, call } = setup();
    await call(valid);
    assert.equal(issuer.calls[0]?.ttl, '1h');
  });

  const denials: [string, unknown, string | null, string][] = [
    ['invalid body', { application: 'chatbot' }, keys.chat, 'invalid_request'],
    ['no key', valid, null, 'unauthenticated'],
    ['wrong key', valid, generateApiKey('chat-client'), 'unauthenticated'],
    ['client_id of someone else', { ...valid, client_id: 'slow-client' }, keys.chat, 'client_mismatch'],
    ['application not allowed', { ...valid, application: 'analytics' }, keys.chat, 'application_not_authorized'],
    ['application unknown', { ...valid, application: 'nothing' }, keys.chat, 'application_not_authorized'],
    ['ttl above max', { ...valid, ttl: '3h' }, keys.chat, 'invalid_request'],
  ];
  for (const [name, body, key, code] of denials) {
    it(`denies as a value, audits it, never calls OpenBao: ${name}`, async () => {
      const { issuer, audit, call } = setup();
      const result = await call(body, key);
      assert.equal(result.kind, 'denied');
      assert.ok(result.kind === 'denied');
      assert.equal(result.code, code);
      assert.equal(issuer.calls.length, 0);
      assert.equal(audit.records.length, 1);
      assert.equal(audit.records[0]?.outcome, code);
    });
  }

  it('validates before authenticating: an invalid body is 400 even without a key', async () => {
    const { call } = setup();
    const result = await call({ application: 'chatbot', user_identifier: '../x' }, null);
    assert.ok(result.kind === 'denied' && result.code === 'invalid_request');
    assert.deepEqual(result.details?.map((d) => d.field), ['user_identifier']);
  });

  it('rate-limits per client with a Retry-After', async () => {
    const { call, issuer } = setup();
    assert.equal((await call(valid, keys.slow)).kind, 'issued');
    assert.equal((await call(valid, keys.slow)).kind, 'issued');
    const third = await call(valid, keys.slow);
    assert.ok(third.kind === 'denied' && third.code === 'rate_limited');
    assert.ok((third.retryAfterSeconds ?? 0) >= 1 && (third.retryAfterSeconds ?? 0) <= 60);
    assert.equal((await call(valid, keys.chat)).kind, 'issued', 'other clients are unaffected');
    assert.equal(issuer.calls.length, 3);
  });

  it('throttles an address after repeated failed authentication, even with a valid key', async () => {
    const { call } = setup();
    for (let i = 0; i < 3; i++) assert.equal(((await call(valid, 'garbage', '10.9.9.9')) as { code: string }).code, 'unauthenticated');
    const blocked = await call(valid, keys.chat, '10.9.9.9');
    assert.ok(blocked.kind === 'denied' && blocked.code === 'rate_limited');
    assert.ok((blocked.retryAfterSeconds ?? 0) > 240, `blocked for the full block time, got ${blocked.retryAfterSeconds}s`);
    assert.equal((await call(valid, keys.chat, '10.0.0.2')).kind, 'issued', 'other addresses are unaffected');
  });

  it('revokes the token and fails when the issuance cannot be audited', async () => {
    const { call, issuer, deps } = setup();
    deps.audit.record = () => {
      throw new Error('disk full');
    };
    await assert.rejects(call(valid), /disk full/);
    assert.deepEqual(issuer.revoked, ['acc-1']);
  });

  it('maps an OpenBao failure to upstream_unavailable with Retry-After, and rethrows anything else', async () => {
    const { call, issuer, audit } = setup();
    issuer.failWith = new VaultError({ method: 'POST', path: 'auth/token/create/chatbot-user' });
    const result = await call(valid);
    assert.ok(result.kind === 'denied' && result.code === 'upstream_unavailable' && result.retryAfterSeconds === 5);
    assert.equal(audit.records.at(-1)?.outcome, 'upstream_error');
    issuer.failWith = new TypeError('bug');
    await assert.rejects(call(valid), TypeError);
  });
});
