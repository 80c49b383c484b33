import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startBao } from '../helpers/bao.js';
import { startTestBroker } from '../helpers/broker.js';

const bao = await startBao();
const broker = await startTestBroker(bao);

describe('authorization', () => {
  it('403 application_not_authorized for an application the client may not use', async () => {
    const res = await broker.post('/v1/entities', { application: 'analytics', user_identifier: 'x1' }, 'chatbot-app');
    assert.equal(res.status, 403);
    assert.equal((await res.json()).error.code, 'application_not_authorized');
  });

  it('403 application_not_authorized for an application that does not exist', async () => {
    const res = await broker.post('/v1/entities', { application: 'unauthorized-app', user_identifier: 'x1' }, 'chatbot-app');
    assert.equal(res.status, 403);
    assert.equal((await res.json()).error.code, 'application_not_authorized');
  });

  it('403 client_mismatch when the body names another client', async () => {
    const res = await broker.post('/v1/entities', { client_id: 'analytics-app', application: 'chatbot', user_identifier: 'x1' }, 'chatbot-app');
    assert.equal(res.status, 403);
    assert.equal((await res.json()).error.code, 'client_mismatch');
  });
});

describe('rate limiting (default 10 per minute)', () => {
  it('the 11th request in a minute from a default client gets 429 with Retry-After', async () => {
    for (let i = 0; i < 10; i++) {
      const res = await broker.post('/v1/entities', { application: 'analytics', user_identifier: `rl-${i}` }, 'analytics-app');
      assert.equal(res.status, 201, `request ${i + 1}: ${await res.text()}`);
    }
    const res = await broker.post('/v1/entities', { application: 'analytics', user_identifier: 'rl-10' }, 'analytics-app');
    assert.equal(res.status, 429);
    assert.equal((await res.json()).error.code, 'rate_limited');
    const retryAfter = Number(res.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    const aliases = (await bao.root.identity.listEntityAliases()).filter((a) => a.name === 'analytics:rl-10');
    assert.equal(aliases.length, 0, 'a throttled request creates nothing');
  });

  it('one client hitting its limit does not throttle another', async () => {
    const res = await broker.post('/v1/entities', { application: 'chatbot', user_identifier: 'other-client' }, 'chatbot-app');
    assert.equal(res.status, 201);
  });

  it('the audit log records each decision', async () => {
    const outcomes = (await broker.audit()).trim().split('\n').map((line) => JSON.parse(line).outcome);
    for (const outcome of ['application_not_authorized', 'client_mismatch', 'issued', 'rate_limited']) {
      assert.ok(outcomes.includes(outcome), outcome);
    }
  });
});
