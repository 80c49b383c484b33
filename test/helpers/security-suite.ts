import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { assertNoSecretsLeaked, type TestBroker } from './broker.js';

/**
 * The security checks every authenticated route must pass, in the style of unkey's
 * runCommonRouteTests: a new route adds one line to test/integration/security-suite.test.ts.
 */
export interface CommonRouteTestOptions {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** A body the route accepts from `client` (2xx); its `application` drives the 403 cases. */
  validBody: Record<string, unknown>;
  /**
   * Give each route a broker of its own: these cases spend several failed authentications
   * from 127.0.0.1, and the per-address budget (20/min) must not run out across routes.
   */
  broker: TestBroker;
  /** The client whose key validBody is meant for (default chatbot-app). */
  client?: string;
  /** Another client, not allowed validBody.application (default analytics-app). */
  otherClient?: string;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** One request with exactly the headers given: nothing is added behind the test's back. */
export async function rawRequest(
  broker: TestBroker,
  method: string,
  path: string,
  options: { authorization?: string; contentType?: string; headers?: Record<string, string>; body?: string | Uint8Array<ArrayBuffer> } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.authorization !== undefined) headers['authorization'] = options.authorization;
  if (options.contentType !== undefined) headers['content-type'] = options.contentType;
  const res = await fetch(`${broker.url}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: options.body }) });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const STACK_FRAME = /at .*\(.*:\d+:\d+\)/;

/** The contract's error body, request-id header and no-store, with the expected status and code. */
export function assertErrorResponse(res: RawResponse, status: number, code: string): { code: string; message: string; request_id: string } {
  assert.equal(res.status, status, `status (body: ${res.text.slice(0, 300)})`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, 'content-type');
  assert.equal(res.headers.get('cache-control'), 'no-store', 'cache-control');
  const body = JSON.parse(res.text) as { error: { code: string; message: string; request_id: string; details?: unknown } };
  assert.deepEqual(Object.keys(body), ['error'], res.text);
  const keys = Object.keys(body.error);
  for (const required of ['code', 'message', 'request_id']) assert.ok(keys.includes(required), `error.${required} in ${res.text}`);
  assert.deepEqual(keys.filter((k) => !['code', 'message', 'request_id', 'details'].includes(k)), [], 'no other error fields');
  assert.equal(body.error.code, code, res.text);
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.message.length > 0, 'message is not empty');
  assert.equal(typeof body.error.request_id, 'string');
  assert.ok(body.error.request_id.length > 0, 'request_id is not empty');
  assert.equal(res.headers.get('x-request-id'), body.error.request_id, 'x-request-id header = error.request_id');
  assert.doesNotMatch(res.text, STACK_FRAME, 'no stack trace');
  assert.doesNotMatch(res.text, /\b\w*Error:/, 'no error internals');
  return body.error;
}

/** A key in the right format for `clientId` that was never issued. */
export function forgedKey(clientId: string): string {
  return `ibk.${clientId}.${randomBytes(32).toString('base64url')}`;
}

export function runCommonRouteTests(options: CommonRouteTestOptions): void {
  const { name, method, path, validBody, broker } = options;
  const client = options.client ?? 'chatbot-app';
  const otherClient = options.otherClient ?? 'analytics-app';
  const keyOf = (id: string) => {
    const key = broker.keys[id];
    if (!key) throw new Error(`the test broker has no client ${id}`);
    return key;
  };
  const json = JSON.stringify(validBody);
  const send = (authorization: string | undefined, body: string | Uint8Array<ArrayBuffer> = json, contentType: string | undefined = 'application/json') =>
    rawRequest(broker, method, path, { ...(authorization === undefined ? {} : { authorization }), ...(contentType === undefined ? {} : { contentType }), body });

  describe(`${method} ${path} (${name}): common security tests`, () => {
    it('control: the valid body with the right key succeeds, and is not cacheable', async () => {
      const res = await send(`Bearer ${keyOf(client)}`);
      assert.ok(res.status >= 200 && res.status < 300, `${res.status} ${res.text.slice(0, 300)}`);
      assert.equal(res.headers.get('cache-control'), 'no-store');
    });

    it('missing Authorization → 401 unauthenticated', async () => {
      assertErrorResponse(await send(undefined), 401, 'unauthenticated');
    });

    for (const [label, header] of [
      ['Basic x', 'Basic x'],
      ['Bearer without a key', 'Bearer'],
      ['Bearer and a space', 'Bearer '],
      ['Bearer + 500 characters', `Bearer ${'A'.repeat(500)}`],
    ] as const) {
      it(`malformed Authorization (${label}) → 401 unauthenticated`, async () => {
        assertErrorResponse(await send(header), 401, 'unauthenticated');
      });
    }

    it('the key in another header instead of Authorization → 401 unauthenticated', async () => {
      const res = await rawRequest(broker, method, path, { contentType: 'application/json', headers: { 'x-api-key': keyOf(client) }, body: json });
      assertErrorResponse(res, 401, 'unauthenticated');
    });

    it(`a well-formed but never-issued ${client} key → 401 unauthenticated`, async () => {
      assertErrorResponse(await send(`Bearer ${forgedKey(client)}`), 401, 'unauthenticated');
    });

    if (typeof validBody['application'] === 'string') {
      it(`${otherClient}'s valid key for an application it may not use → 403 application_not_authorized`, async () => {
        assertErrorResponse(await send(`Bearer ${keyOf(otherClient)}`), 403, 'application_not_authorized');
      });

      it(`${otherClient}'s valid key with client_id "${client}" in the body → 403 client_mismatch`, async () => {
        const res = await send(`Bearer ${keyOf(otherClient)}`, JSON.stringify({ ...validBody, client_id: client }));
        assertErrorResponse(res, 403, 'client_mismatch');
      });
    }

    it('malformed JSON → 400 invalid_request', async () => {
      assertErrorResponse(await send(`Bearer ${keyOf(client)}`, json.slice(0, -1)), 400, 'invalid_request');
    });

    it('wrong content type → 415 unsupported_media_type', async () => {
      assertErrorResponse(await send(`Bearer ${keyOf(client)}`, json, 'text/plain'), 415, 'unsupported_media_type');
    });

    it('oversized body (200 KB) → 413 payload_too_large', async () => {
      const big = JSON.stringify({ ...validBody, padding: 'x'.repeat(200 * 1024) });
      assertErrorResponse(await send(`Bearer ${keyOf(client)}`, big), 413, 'payload_too_large');
    });

    it('no API key appears in the broker logs or audit', async () => {
      await assertNoSecretsLeaked(broker, Object.values(broker.keys));
    });
  });
}
