import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startBao } from '../helpers/bao.js';
import { assertNoSecretsLeaked, startTestBroker } from '../helpers/broker.js';

// Hostile requests to POST /v1/entities against a real broker and a real OpenBao: each one
// gets its documented status and code, and none of them creates an entity. The file owns
// its OpenBao (even when BAO_ADDR names a shared one) because it counts every entity.
const bao = await startBao({ owned: true });
const broker = await startTestBroker(bao);
const apiKey = broker.keys['chatbot-app'] as string;

const valid = { application: 'chatbot', user_identifier: 'hostile-probe' };
const with_ = (extra: Record<string, unknown>) => ({ ...valid, ...extra });
const without = (field: keyof typeof valid) => Object.fromEntries(Object.entries(valid).filter(([k]) => k !== field));
const jsonText = JSON.stringify(valid);

interface HostileCase {
  name: string;
  /** Sent as JSON.stringify(body) unless raw is given. */
  body?: unknown;
  raw?: string | Uint8Array<ArrayBuffer>;
  /** Content-Type header; null sends none. Default application/json. */
  contentType?: string | null;
  status: number;
  code: string;
  /** A 400 from validation must name this field in details (or a sub-field of it). */
  field?: string;
}

const c64 = 'a'.repeat(64);
const CASES: HostileCase[] = [
  // user_identifier: injection into HCL, JSON, paths, templates and aliases.
  { name: 'HCL injection', body: with_({ user_identifier: 'a" } path "sys/*" { capabilities=["sudo"] } #' }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: 'HCL injection over a newline', body: with_({ user_identifier: 'alice\npath "sys/*" { capabilities = ["sudo"] }' }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: 'JSON injection', body: with_({ user_identifier: 'alice","policies":["root"],"x":"' }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: '..', body: with_({ user_identifier: '..' }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: '../x', body: with_({ user_identifier: '../x' }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: '/', body: with_({ user_identifier: '/' }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: 'a/b', body: with_({ user_identifier: 'a/b' }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: 'percent-encoded ..', body: with_({ user_identifier: '%2e%2e' }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: '*', body: with_({ user_identifier: '*' }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: '+', body: with_({ user_identifier: '+' }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: 'a+b', body: with_({ user_identifier: 'a+b' }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: 'template {{identity.entity.id}}', body: with_({ user_identifier: '{{identity.entity.id}}' }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: 'alias separator a:b', body: with_({ user_identifier: 'chatbot:alice' }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: 'upper case Alice (never lower-cased)', body: with_({ user_identifier: 'Alice' }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: 'empty string', body: with_({ user_identifier: '' }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: '65 characters', body: with_({ user_identifier: 'a'.repeat(65) }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: 'non-ASCII ålice', body: with_({ user_identifier: 'ålice' }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: 'Cyrillic homoglyph аlice', body: with_({ user_identifier: '\u0430lice' }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: 'emoji', body: with_({ user_identifier: 'alice\u{1F600}' }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: 'zero-width space', body: with_({ user_identifier: 'ali\u200bce' }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: 'leading -', body: with_({ user_identifier: '-alice' }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: 'leading _', body: with_({ user_identifier: '_alice' }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: 'leading space', body: with_({ user_identifier: ' alice' }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: 'trailing space', body: with_({ user_identifier: 'alice ' }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: 'inner tab', body: with_({ user_identifier: 'al\tice' }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: 'trailing newline', body: with_({ user_identifier: 'alice\n' }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: 'null byte', body: with_({ user_identifier: 'alice\u0000' }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: 'user_identifier missing', body: without('user_identifier'), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: 'user_identifier a number', body: with_({ user_identifier: 42 }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: 'user_identifier an array', body: with_({ user_identifier: ['alice'] }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: 'user_identifier an object', body: with_({ user_identifier: { name: 'alice' } }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: 'user_identifier null', body: with_({ user_identifier: null }), status: 400, code: 'invalid_request', field: 'user_identifier' },
  { name: 'user_identifier a boolean', body: with_({ user_identifier: true }), status: 400, code: 'invalid_request', field: 'user_identifier' },

  // application: the pattern, then authorization.
  { name: 'application Chatbot', body: with_({ application: 'Chatbot' }), status: 400, code: 'invalid_request', field: 'application' },
  { name: 'application of 1 character', body: with_({ application: 'a' }), status: 400, code: 'invalid_request', field: 'application' },
  { name: 'application of 33 characters', body: with_({ application: 'c'.repeat(33) }), status: 400, code: 'invalid_request', field: 'application' },
  { name: 'application chat_bot', body: with_({ application: 'chat_bot' }), status: 400, code: 'invalid_request', field: 'application' },
  { name: 'application with a path', body: with_({ application: 'chatbot/../sys' }), status: 400, code: 'invalid_request', field: 'application' },
  { name: 'application missing', body: without('application'), status: 400, code: 'invalid_request', field: 'application' },
  { name: 'application a number', body: with_({ application: 7 }), status: 400, code: 'invalid_request', field: 'application' },
  { name: 'application an array', body: with_({ application: ['chatbot'] }), status: 400, code: 'invalid_request', field: 'application' },
  { name: 'application an object', body: with_({ application: { name: 'chatbot' } }), status: 400, code: 'invalid_request', field: 'application' },
  { name: 'application null', body: with_({ application: null }), status: 400, code: 'invalid_request', field: 'application' },
  { name: 'application a boolean', body: with_({ application: false }), status: 400, code: 'invalid_request', field: 'application' },
  { name: 'unknown application', body: with_({ application: 'no-such-app' }), status: 403, code: 'application_not_authorized' },
  { name: 'configured application this client may not use', body: with_({ application: 'billing' }), status: 403, code: 'application_not_authorized' },
  { name: "another client's application", body: with_({ application: 'analytics' }), status: 403, code: 'application_not_authorized' },

  // ttl.
  { name: 'ttl -5m', body: with_({ ttl: '-5m' }), status: 400, code: 'invalid_request', field: 'ttl' },
  { name: 'ttl 0s', body: with_({ ttl: '0s' }), status: 400, code: 'invalid_request', field: 'ttl' },
  { name: 'ttl 0', body: with_({ ttl: '0' }), status: 400, code: 'invalid_request', field: 'ttl' },
  { name: 'ttl abc', body: with_({ ttl: 'abc' }), status: 400, code: 'invalid_request', field: 'ttl' },
  { name: 'ttl empty', body: with_({ ttl: '' }), status: 400, code: 'invalid_request', field: 'ttl' },
  { name: 'ttl fractional 1.5h', body: with_({ ttl: '1.5h' }), status: 400, code: 'invalid_request', field: 'ttl' },
  { name: 'ttl in days 1d', body: with_({ ttl: '1d' }), status: 400, code: 'invalid_request', field: 'ttl' },
  { name: 'ttl with a trailing space', body: with_({ ttl: '1h ' }), status: 400, code: 'invalid_request', field: 'ttl' },
  { name: 'ttl as a number', body: with_({ ttl: 300 }), status: 400, code: 'invalid_request', field: 'ttl' },
  { name: 'ttl null', body: with_({ ttl: null }), status: 400, code: 'invalid_request', field: 'ttl' },
  { name: 'ttl an array', body: with_({ ttl: ['1h'] }), status: 400, code: 'invalid_request', field: 'ttl' },
  { name: 'ttl an object', body: with_({ ttl: { h: 1 } }), status: 400, code: 'invalid_request', field: 'ttl' },
  { name: 'ttl a boolean', body: with_({ ttl: true }), status: 400, code: 'invalid_request', field: 'ttl' },
  { name: 'ttl 999999h (beyond the application max)', body: with_({ ttl: '999999h' }), status: 400, code: 'invalid_request', field: 'ttl' },
  { name: 'ttl 3h (beyond the 2h application max)', body: with_({ ttl: '3h' }), status: 400, code: 'invalid_request', field: 'ttl' },
  { name: 'ttl of 10 digits of seconds', body: with_({ ttl: '9999999999' }), status: 400, code: 'invalid_request', field: 'ttl' },

  // user_context: a flat object of strings, at most 4 KiB.
  { name: 'user_context nested', body: with_({ user_context: { a: { b: 'c' } } }), status: 400, code: 'invalid_request', field: 'user_context' },
  { name: 'user_context value a number', body: with_({ user_context: { n: 1 } }), status: 400, code: 'invalid_request', field: 'user_context' },
  { name: 'user_context value null', body: with_({ user_context: { n: null } }), status: 400, code: 'invalid_request', field: 'user_context' },
  { name: 'user_context over 4 KiB', body: with_({ user_context: { blob: 'x'.repeat(4100) } }), status: 400, code: 'invalid_request', field: 'user_context' },
  { name: 'user_context over 4 KiB in many keys', body: with_({ user_context: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'v'.repeat(40)])) }), status: 400, code: 'invalid_request', field: 'user_context' },
  { name: 'user_context bad key', body: with_({ user_context: { 'bad key': 'x' } }), status: 400, code: 'invalid_request', field: 'user_context' },
  { name: 'user_context empty key', body: with_({ user_context: { '': 'x' } }), status: 400, code: 'invalid_request', field: 'user_context' },
  { name: 'user_context a string', body: with_({ user_context: 'ctx' }), status: 400, code: 'invalid_request', field: 'user_context' },
  { name: 'user_context an array', body: with_({ user_context: ['a'] }), status: 400, code: 'invalid_request', field: 'user_context' },
  { name: 'user_context a number', body: with_({ user_context: 1 }), status: 400, code: 'invalid_request', field: 'user_context' },
  { name: 'user_context null', body: with_({ user_context: null }), status: 400, code: 'invalid_request', field: 'user_context' },
  { name: 'user_context a boolean', body: with_({ user_context: true }), status: 400, code: 'invalid_request', field: 'user_context' },

  // client_id, unknown fields, prototype pollution.
  { name: 'client_id not matching its pattern', body: with_({ client_id: 'Chatbot-App' }), status: 400, code: 'invalid_request', field: 'client_id' },
  { name: 'client_id a number', body: with_({ client_id: 1 }), status: 400, code: 'invalid_request', field: 'client_id' },
  { name: 'unknown field policies', body: with_({ policies: ['root'] }), status: 400, code: 'invalid_request', field: 'policies' },
  { name: 'unknown field entity_alias', body: with_({ entity_alias: 'chatbot:root' }), status: 400, code: 'invalid_request', field: 'entity_alias' },
  { name: '__proto__ in the JSON text', raw: '{"application":"chatbot","user_identifier":"hostile-probe","__proto__":{"policies":["root"]}}', status: 400, code: 'invalid_request' },
  { name: 'nested __proto__ in user_context', raw: '{"application":"chatbot","user_identifier":"hostile-probe","user_context":{"__proto__":{"isAdmin":"true"}}}', status: 400, code: 'invalid_request' },
  { name: 'constructor.prototype in the JSON text', raw: '{"application":"chatbot","user_identifier":"hostile-probe","constructor":{"prototype":{"policies":["root"]}}}', status: 400, code: 'invalid_request' },
  { name: 'plain constructor key', raw: '{"application":"chatbot","user_identifier":"hostile-probe","constructor":"x"}', status: 400, code: 'invalid_request', field: 'constructor' },
  { name: 'duplicate key, the last one hostile', raw: '{"application":"chatbot","user_identifier":"hostile-probe","user_identifier":"../root"}', status: 400, code: 'invalid_request', field: 'user_identifier' },

  // The body as a whole.
  { name: 'body a JSON array', raw: `[${jsonText}]`, status: 400, code: 'invalid_request', field: '(body)' },
  { name: 'body a JSON string', raw: '"chatbot"', status: 400, code: 'invalid_request', field: '(body)' },
  { name: 'body a JSON number', raw: '42', status: 400, code: 'invalid_request', field: '(body)' },
  { name: 'body JSON null', raw: 'null', status: 400, code: 'invalid_request', field: '(body)' },
  { name: 'malformed JSON', raw: '{"application":', status: 400, code: 'invalid_request' },
  { name: 'trailing garbage after JSON', raw: `${jsonText}x`, status: 400, code: 'invalid_request' },
  { name: 'empty body with content-type json', raw: '', status: 400, code: 'invalid_request' },
  { name: '5 MB body', raw: JSON.stringify(with_({ user_context: { blob: 'x'.repeat(5 * 1024 * 1024) } })), status: 413, code: 'payload_too_large' },
  { name: 'content-type text/plain', raw: jsonText, contentType: 'text/plain', status: 415, code: 'unsupported_media_type' },
  { name: 'content-type application/x-www-form-urlencoded', raw: 'application=chatbot&user_identifier=hostile-probe', contentType: 'application/x-www-form-urlencoded', status: 415, code: 'unsupported_media_type' },
  { name: 'content-type multipart/form-data', raw: jsonText, contentType: 'multipart/form-data; boundary=x', status: 415, code: 'unsupported_media_type' },
  { name: 'JSON declared as UTF-16', raw: jsonText, contentType: 'application/json; charset=utf-16', status: 415, code: 'unsupported_media_type' },
  { name: 'no content-type', raw: new TextEncoder().encode(jsonText), contentType: null, status: 415, code: 'unsupported_media_type' },

  // Positive controls: the table is not vacuous; 64 characters is the maximum.
  { name: 'control: 64 characters → 201', body: with_({ user_identifier: c64 }), status: 201, code: 'issued' },
  { name: 'control: every allowed character class → 201', body: with_({ user_identifier: '0a_b-9', ttl: '1h30m', user_context: { 'session.id': 's-1', Channel_2: 'web' } }), status: 201, code: 'issued' },
];

interface ResponseBody {
  entity_alias?: string;
  user_token?: string;
  error?: { code: string; message: string; request_id: string; details?: { field?: unknown; message?: unknown }[] };
}

const STACK_FRAME = /at .*\(.*:\d+:\d+\)/;
const ERROR_INTERNALS = /\b\w*Error:|node_modules|\/src\/|\.ts:\d+/;

let entitiesBefore: string[] = [];
let aliasesBefore = new Set<string>();
/** request_id → the audit outcome its rejection must have produced. */
const expectedAudit = new Map<string, string>();
const issuedTokens: string[] = [];

async function send(c: HostileCase): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${apiKey}` };
  const contentType = c.contentType === undefined ? 'application/json' : c.contentType;
  if (contentType !== null) headers['content-type'] = contentType;
  const body = c.raw ?? JSON.stringify(c.body);
  return fetch(`${broker.url}/v1/entities`, { method: 'POST', headers, body });
}

describe('POST /v1/entities rejects hostile requests', () => {
  it('counts OpenBao entities before the table', async () => {
    entitiesBefore = await bao.root.identity.listEntityIds();
    aliasesBefore = new Set((await bao.root.identity.listEntityAliases()).map((a) => a.id));
    assert.ok(entitiesBefore.length >= 1, 'the broker itself has an entity from its AppRole login');
  });

  for (const c of CASES) {
    it(`${c.name} → ${c.status} ${c.code}`, async () => {
      const res = await send(c);
      const text = await res.text();
      let body: ResponseBody = {};
      assert.doesNotThrow(() => (body = JSON.parse(text) as ResponseBody), `response is JSON: ${text.slice(0, 200)}`);
      assert.equal(res.status, c.status, text.slice(0, 500));
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      if (c.status === 201) {
        assert.equal(body.entity_alias, `chatbot:${(c.body as { user_identifier: string }).user_identifier}`);
        issuedTokens.push(body.user_token as string);
        return;
      }
      assert.deepEqual(Object.keys(body), ['error'], text);
      assert.ok(body.error);
      assert.equal(body.error.code, c.code, text);
      assert.equal(typeof body.error.message, 'string');
      assert.ok(body.error.message.length > 0);
      assert.equal(typeof body.error.request_id, 'string');
      assert.ok(body.error.request_id.length > 0);
      assert.equal(res.headers.get('x-request-id'), body.error.request_id);
      assert.doesNotMatch(text, STACK_FRAME, 'no stack trace in the body');
      assert.doesNotMatch(text, ERROR_INTERNALS, 'no error internals in the body');
      assert.ok(!text.includes(apiKey), 'the API key is not echoed');
      if (c.field !== undefined) {
        assert.ok(Array.isArray(body.error.details), `details is an array: ${text}`);
        const field = c.field;
        assert.ok(
          body.error.details.some((d) =>
            typeof d.message === 'string' && (d.field === field || (typeof d.field === 'string' && d.field.startsWith(`${field}.`)))),
          `details name ${field}: ${JSON.stringify(body.error.details)}`,
        );
      }
      expectedAudit.set(body.error.request_id, c.status === 403 ? c.code : 'invalid_request');
    });
  }

  it('no rejected request created an entity or an alias in OpenBao', async () => {
    const controls = CASES.filter((c) => c.status === 201).map((c) => `chatbot:${(c.body as { user_identifier: string }).user_identifier}`);
    const entitiesAfter = await bao.root.identity.listEntityIds();
    assert.equal(entitiesAfter.length, entitiesBefore.length + controls.length, 'only the positive controls added entities');
    const newAliases = (await bao.root.identity.listEntityAliases()).filter((a) => !aliasesBefore.has(a.id)).map((a) => a.name);
    assert.deepEqual(newAliases.sort(), [...controls].sort(), 'only the positive controls added aliases');
  });

  it('audits every rejection with its outcome and leaks no API key', async () => {
    const records = (await broker.audit()).trim().split('\n').map((line) => JSON.parse(line) as { request_id: string; outcome: string });
    const byRequest = new Map(records.map((r) => [r.request_id, r.outcome]));
    const rejected = CASES.filter((c) => c.status !== 201).length;
    assert.equal(expectedAudit.size, rejected, 'every rejected case ran');
    for (const [requestId, outcome] of expectedAudit) {
      assert.equal(byRequest.get(requestId), outcome, `audit record for ${requestId}`);
    }
    assert.ok(records.some((r) => r.outcome === 'invalid_request'));
    await assertNoSecretsLeaked(broker, [...Object.values(broker.keys), ...issuedTokens, bao.rootToken]);
  });
});
