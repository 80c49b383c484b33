import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startBao } from '../helpers/bao.js';
import { startTestBroker, type TestBroker } from '../helpers/broker.js';
import { assertErrorResponse, forgedKey, rawRequest, runCommonRouteTests, type CommonRouteTestOptions } from '../helpers/security-suite.js';

const bao = await startBao();

/** Every authenticated route: a new route adds one line here. */
const ROUTES: Omit<CommonRouteTestOptions, 'broker'>[] = [
  { name: 'create entity', method: 'POST', path: '/v1/entities', validBody: { application: 'chatbot', user_identifier: 'security-suite' } },
];

// Every broker starts before any test is registered: node:test runs the file's after()
// hooks (stopping OpenBao) as soon as the registered tests finish. Each route gets its own
// broker (bootstrap is idempotent), so failed-auth budgets never mix; so does the
// brute-force block, which lasts for its broker's lifetime.
const routeBrokers: TestBroker[] = [];
for (let i = 0; i < ROUTES.length; i++) routeBrokers.push(await startTestBroker(bao));
const broker = await startTestBroker(bao);
const throttled = await startTestBroker(bao);

ROUTES.forEach((route, i) => runCommonRouteTests({ ...route, broker: routeBrokers[i] as TestBroker }));

describe('unauthenticated operational routes', () => {
  it('GET /healthz → 200 without a key', async () => {
    const res = await rawRequest(broker, 'GET', '/healthz');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(JSON.parse(res.text), { status: 'ok' });
  });

  it('GET /openapi.json → 200 without a key, documenting every authenticated route', async () => {
    const res = await rawRequest(broker, 'GET', '/openapi.json');
    assert.equal(res.status, 200, res.text.slice(0, 300));
    const document = JSON.parse(res.text) as { paths: Record<string, Record<string, { security?: unknown[] }>> };
    assert.ok(document.paths['/v1/entities']?.['post'], 'paths["/v1/entities"].post');
    for (const route of ROUTES) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      assert.ok(operation, `${route.method} ${route.path} is documented`);
      assert.ok(Array.isArray(operation.security) && operation.security.length > 0, `${route.method} ${route.path} declares its security`);
    }
  });
});

const validBody = JSON.stringify({ application: 'chatbot', user_identifier: 'brute-force-victim' });
let blockedRetryAfter = 0;

describe('brute-force throttle on failed authentication', () => {
  it('25 wrong keys from one address, then even a valid key → 429 rate_limited with Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const res = await rawRequest(throttled, 'POST', '/v1/entities', {
        authorization: `Bearer ${forgedKey('chatbot-app')}`,
        contentType: 'application/json',
        body: validBody,
      });
      statuses.push(res.status);
      assertErrorResponse(res, res.status, res.status === 429 ? 'rate_limited' : 'unauthenticated');
    }
    assert.equal(statuses[0], 401, 'the first wrong key is simply unauthenticated');
    assert.ok(statuses.every((s) => s === 401 || s === 429), statuses.join(','));
    assert.ok(statuses.indexOf(429) > 0, `blocked within 25 attempts: ${statuses.join(',')}`);
    assert.ok(statuses.slice(statuses.indexOf(429)).every((s) => s === 429), `once blocked, stays blocked: ${statuses.join(',')}`);

    const res = await rawRequest(throttled, 'POST', '/v1/entities', {
      authorization: `Bearer ${throttled.keys['chatbot-app']}`,
      contentType: 'application/json',
      body: validBody,
    });
    assertErrorResponse(res, 429, 'rate_limited');
    const retryAfter = res.headers.get('retry-after');
    assert.match(retryAfter ?? '', /^[1-9]\d*$/, `Retry-After is a positive number of seconds: ${retryAfter}`);
    blockedRetryAfter = Number(retryAfter);
    assert.ok((await throttled.audit()).includes('"outcome":"rate_limited"'), 'the block is audited');
  });

  // Regression: the 429 came before the 21st failure was consumed, so the block never
  // started and the address was free again when the 60 s window ended (Retry-After ≤ 60).
  it("the block lasts the throttle's blockSeconds (default 300 s), not merely the rest of the 60 s window", () => {
    assert.ok(blockedRetryAfter > 60 && blockedRetryAfter <= 300, `Retry-After ${blockedRetryAfter}s`);
  });

  it('the other brokers are not affected by that block', async () => {
    const res = await rawRequest(broker, 'POST', '/v1/entities', {
      authorization: `Bearer ${broker.keys['chatbot-app']}`,
      contentType: 'application/json',
      body: validBody,
    });
    assert.equal(res.status, 201, res.text.slice(0, 300));
  });
});
