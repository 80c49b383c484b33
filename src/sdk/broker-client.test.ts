import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { IdentityBrokerClient } from './broker-client.js';
import { IdentityBrokerError, IdentityBrokerUnavailableError, UnexpectedResponseError, isIdentityBrokerError } from './errors.js';
import { parseRetryAfter, retryDelayMs, DEFAULT_RETRY_POLICY } from './retry.js';

const API_KEY = 'ibk.chatbot-app.secret-value-that-must-not-leak-000000000000';
const CREATED = {
  entity_id: '6f1c1d2e-0000-0000-0000-000000000000',
  entity_alias: 'chatbot:alice',
  user_token: 's.usertoken',
  token_accessor: 'acc',
  policies: ['chatbot-user'],
  ttl: 3600,
  expires_at: '2030-01-01T00:00:00.000Z',
  num_uses: 500,
  renewable: false,
};

type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | 'hang';

/** A real local HTTP server answering from a script; it records when each request came. */
async function scriptedBroker(script: Reply[]) {
  const requests: { at: number; authorization: string | undefined; body: string }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push({ at: performance.now(), authorization: req.headers.authorization, body });
      const reply = script[Math.min(requests.length - 1, script.length - 1)] as Reply;
      if (reply === 'hang') return;
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const errorReply = (status: number, code: string, headers: Record<string, string> = {}): Reply => ({
  status,
  headers,
  body: { error: { code, message: `${code} happened`, request_id: `req-${status}` } },
});

const request = { application: 'chatbot', user_identifier: 'alice' };

describe('IdentityBrokerClient retries', () => {
  it('retries a 429 after its Retry-After and returns the 201', async () => {
    const broker = await scriptedBroker([errorReply(429, 'rate_limited', { 'retry-after': '1' }), { status: 201, body: CREATED }]);
    const client = new IdentityBrokerClient({ baseUrl: broker.url, apiKey: API_KEY });
    const created = await client.createEntity(request);
    assert.deepEqual(created, CREATED);
    assert.equal(broker.requests.length, 2);
    const waited = (broker.requests[1]?.at ?? 0) - (broker.requests[0]?.at ?? 0);
    assert.ok(waited >= 1000 && waited < 1500, `waited ${waited} ms for Retry-After: 1`);
    assert.equal(broker.requests[1]?.authorization, `Bearer ${API_KEY}`);
    assert.deepEqual(JSON.parse(broker.requests[1]?.body ?? ''), request);
  });

  it('does not retry a 403 and types the error by its contract code', async () => {
    const broker = await scriptedBroker([errorReply(403, 'application_not_authorized'), { status: 201, body: CREATED }]);
    const client = new IdentityBrokerClient({ baseUrl: broker.url, apiKey: API_KEY });
    const error = await client.createEntity(request).then(() => assert.fail('resolved'), (e: unknown) => e);
    assert.ok(isIdentityBrokerError(error, 'application_not_authorized'), String(error));
    assert.equal(error.status, 403);
    assert.equal(error.requestId, 'req-403');
    assert.equal(broker.requests.length, 1);
    assert.ok(!error.message.includes(API_KEY) && !JSON.stringify(error).includes(API_KEY), 'the API key stays out of errors');
  });

  it('gives up after maxAttempts and reports the last 503 with its Retry-After', async () => {
    const broker = await scriptedBroker([errorReply(503, 'upstream_unavailable', { 'retry-after': '0' })]);
    const client = new IdentityBrokerClient({ baseUrl: broker.url, apiKey: API_KEY, retry: { maxAttempts: 4 } });
    await assert.rejects(client.createEntity(request), (e: unknown) => isIdentityBrokerError(e, 'upstream_unavailable') && e.retryAfterSeconds === 0);
    assert.equal(broker.requests.length, 4);
  });

  it('without Retry-After backs off with full jitter, doubling up to maxDelayMs', async () => {
    const broker = await scriptedBroker([{ status: 503, body: 'proxy page' }]);
    const waits: number[] = [];
    const client = new IdentityBrokerClient({
      baseUrl: broker.url,
      apiKey: API_KEY,
      retry: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 300 },
      random: () => 1,
      sleep: async (ms) => void waits.push(ms),
    });
    await assert.rejects(client.createEntity(request), (e: unknown) => isIdentityBrokerError(e, 'upstream_unavailable'));
    assert.deepEqual(waits, [100, 200, 300, 300]);
  });

  it('fails at once when Retry-After is longer than it will wait', async () => {
    const broker = await scriptedBroker([errorReply(429, 'rate_limited', { 'retry-after': '3600' })]);
    const client = new IdentityBrokerClient({ baseUrl: broker.url, apiKey: API_KEY });
    await assert.rejects(client.createEntity(request), (e: unknown) => e instanceof IdentityBrokerError && e.retryAfterSeconds === 3600);
    assert.equal(broker.requests.length, 1);
  });

  it('does not retry a 500 or a timeout: a token may already have been issued', async () => {
    const failing = await scriptedBroker([errorReply(500, 'internal_error')]);
    await assert.rejects(new IdentityBrokerClient({ baseUrl: failing.url, apiKey: API_KEY }).createEntity(request), { code: 'internal_error' });
    assert.equal(failing.requests.length, 1);
    const hanging = await scriptedBroker(['hang']);
    const client = new IdentityBrokerClient({ baseUrl: hanging.url, apiKey: API_KEY, timeoutMs: 200 });
    await assert.rejects(client.createEntity(request), (e: unknown) => e instanceof IdentityBrokerUnavailableError && e.reason === 'timeout');
    assert.equal(hanging.requests.length, 1);
  });
});

describe('IdentityBrokerClient answers and requests', () => {
  it('rejects a request the contract forbids before sending it', async () => {
    const broker = await scriptedBroker([{ status: 201, body: CREATED }]);
    const client = new IdentityBrokerClient({ baseUrl: broker.url, apiKey: API_KEY });
    await assert.rejects(client.createEntity({ application: 'chatbot', user_identifier: 'Alice Smith' }), (e: unknown) => {
      return isIdentityBrokerError(e, 'invalid_request') && JSON.stringify(e.details).includes('user_identifier');
    });
    assert.equal(broker.requests.length, 0);
  });

  it('treats a 201 that breaks the contract as an UnexpectedResponseError', async () => {
    const broker = await scriptedBroker([{ status: 201, body: { ...CREATED, renewable: true } }]);
    await assert.rejects(new IdentityBrokerClient({ baseUrl: broker.url, apiKey: API_KEY }).createEntity(request), UnexpectedResponseError);
  });

  it('reports an unreachable broker as IdentityBrokerUnavailableError', async () => {
    const client = new IdentityBrokerClient({ baseUrl: 'http://127.0.0.1:1', apiKey: API_KEY });
    await assert.rejects(client.createEntity(request), (e: unknown) => e instanceof IdentityBrokerUnavailableError && e.reason === 'network');
  });
});

describe('Retry-After and backoff', () => {
  it('parses delta-seconds and HTTP dates', () => {
    assert.equal(parseRetryAfter('7'), 7000);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')), 10_000);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(null), undefined);
  });

  it('waits at least Retry-After, with at most 10 % jitter on top', () => {
    assert.equal(retryDelayMs(1, 2000, DEFAULT_RETRY_POLICY, () => 0), 2000);
    assert.equal(retryDelayMs(1, 2000, DEFAULT_RETRY_POLICY, () => 1), 2200);
  });
});
