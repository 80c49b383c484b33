import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inProcessApp } from '../helpers/in-process-app.js';

const request = (key: string) => ({
  method: 'POST' as const,
  url: '/v1/entities',
  remoteAddress: '10.0.0.5',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'x-forwarded-for': '203.0.113.7' },
  payload: { application: 'chatbot', user_identifier: 'proxied' },
});

describe('source address behind a proxy', () => {
  it('ignores X-Forwarded-For from an untrusted peer', async () => {
    const { app, key, audit } = inProcessApp();
    assert.equal((await app.inject(request(key))).statusCode, 201);
    assert.equal(audit.records[0]?.source_address, '10.0.0.5');
  });

  it('uses X-Forwarded-For from a trusted proxy (listen.trust_proxy)', async () => {
    const { app, key, audit } = inProcessApp({ trustProxy: ['10.0.0.0/8'] });
    assert.equal((await app.inject(request(key))).statusCode, 201);
    assert.equal(audit.records[0]?.source_address, '203.0.113.7');
  });
});
