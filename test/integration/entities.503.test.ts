import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startBao } from '../helpers/bao.js';
import { startTestBroker } from '../helpers/broker.js';

// This file stops OpenBao mid-way, so it always runs its own server.
const bao = await startBao({ owned: true });
const broker = await startTestBroker(bao);

describe('OpenBao goes away', () => {
  it('serves while OpenBao is up', async () => {
    const res = await broker.post('/v1/entities', { application: 'chatbot', user_identifier: 'before' }, 'chatbot-app');
    assert.equal(res.status, 201);
    assert.equal((await fetch(`${broker.url}/readyz`)).status, 200);
  });

  it('answers 503 upstream_unavailable with Retry-After, never a 500 with internals', async () => {
    await bao.stop();
    const res = await broker.post('/v1/entities', { application: 'chatbot', user_identifier: 'during' }, 'chatbot-app');
    const text = await res.text();
    assert.equal(res.status, 503, text);
    const body = JSON.parse(text);
    assert.equal(body.error.code, 'upstream_unavailable');
    assert.ok(Number(res.headers.get('retry-after')) >= 1);
    assert.doesNotMatch(text, /ECONNREFUSED|127\.0\.0\.1|VaultError|at .*:\d+:\d+/);
  });

  it('/readyz turns 503 while /healthz stays 200', async () => {
    await new Promise((r) => setTimeout(r, 1100)); // past the readiness cache
    const ready = await fetch(`${broker.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal((await ready.json()).checks.openbao, 'unreachable');
    assert.equal((await fetch(`${broker.url}/healthz`)).status, 200);
  });

  it('audits the failure as upstream_error', async () => {
    assert.match(await broker.audit(), /"outcome":"upstream_error"/);
  });
});
