import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, parseConfig } from './config.js';

const env = { BAO_ADDR: 'http://127.0.0.1:8200' };
const hash = `sha256:${'a'.repeat(64)}`;
const valid = {
  openbao: { auth: { method: 'approle', role_id: 'r', secret_id: { file: '/run/secret-id' } } },
  applications: { chatbot: { max_ttl: '2h' } },
  clients: { 'chatbot-app': { api_key_hash: hash, applications: ['chatbot'] } },
};

function problemsOf(input: unknown, environment: NodeJS.ProcessEnv = env): string {
  try {
    parseConfig(input, { env: environment });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('config was accepted');
}

describe('config', () => {
  it('accepts a valid config, applies defaults and freezes it', () => {
    const config = parseConfig(valid, { env });
    assert.equal(config.openbao.addr, 'http://127.0.0.1:8200');
    assert.equal(config.listen.port, 8080);
    assert.equal(config.applications['chatbot']?.num_uses, 500);
    assert.equal(config.rate_limit.default_per_minute, 10);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.applications['chatbot']));
    assert.throws(() => {
      (config.listen as { port: number }).port = 1;
    }, TypeError);
  });

  it('reads YAML numbers as seconds and caps the default ttl at max_ttl', () => {
    const config = parseConfig({ ...valid, applications: { chatbot: { max_ttl: 900 } } }, { env });
    assert.equal(config.applications['chatbot']?.max_ttl, '900');
    assert.equal(config.applications['chatbot']?.default_ttl, '15m');
    assert.equal(parseConfig({ ...valid, openbao: undefined, clients: {} }, { env }).openbao.auth, undefined);
  });

  it('falls back from BAO_ADDR to VAULT_ADDR', () => {
    assert.equal(parseConfig(valid, { env: { VAULT_ADDR: 'http://10.0.0.1:8200' } }).openbao.addr, 'http://10.0.0.1:8200');
    assert.equal(
      parseConfig(valid, { env: { BAO_ADDR: 'http://a:1', VAULT_ADDR: 'http://b:2' } }).openbao.addr,
      'http://a:1',
    );
    assert.match(problemsOf(valid, {}), /openbao\.addr: required/);
  });

  const cases: [string, unknown, RegExp][] = [
    ['unknown top-level field', { ...valid, lisen: {} }, /\(root\): unknown field\(s\) "lisen"/],
    ['bad application name', { ...valid, applications: { Chat_Bot: {} }, clients: {} }, /applications\.Chat_Bot: name must be an application name matching/],
    ['bad duration', { ...valid, applications: { chatbot: { max_ttl: '2 hours' } } }, /applications\.chatbot\.max_ttl: a positive duration/],
    ['default above max', { ...valid, applications: { chatbot: { max_ttl: '1h', default_ttl: '2h' } } }, /applications\.chatbot\.default_ttl: must not exceed max_ttl/],
    ['num_uses not an integer', { ...valid, applications: { chatbot: { num_uses: 1.5 } } }, /applications\.chatbot\.num_uses/],
    ['client of unknown application', { ...valid, clients: { 'chatbot-app': { api_key_hash: hash, applications: ['nope'] } } }, /clients\.chatbot-app\.applications\[0\]: unknown application "nope"/],
    ['plaintext key instead of hash', { ...valid, clients: { 'chatbot-app': { api_key_hash: 'hunter2', applications: ['chatbot'] } } }, /clients\.chatbot-app\.api_key_hash: a hash "sha256:/],
    ['secret_id as literal', { ...valid, openbao: { auth: { method: 'approle', role_id: 'r', secret_id: 'literal' } } }, /openbao\.auth\.secret_id: must be \{env: VARIABLE\} or \{file: PATH\}/],
    ['wrong type', { ...valid, listen: { port: '80' } }, /listen\.port: must be a number, got a string/],
    ['addr with a path', { ...valid, openbao: { ...valid.openbao, addr: 'http://bao:8200/v1' } }, /openbao\.addr: must be scheme:\/\/host:port with no path/],
    ['unknown auth method', { ...valid, openbao: { auth: { method: 'userpass' } } }, /openbao\.auth\.method/],
    ['port out of range', { ...valid, listen: { port: 70000 } }, /listen\.port/],
    ['addr not a URL', { ...valid, openbao: { ...valid.openbao, addr: 'localhost:8200' } }, /openbao\.addr/],
    ['missing applications', { openbao: {} }, /applications: required/],
  ];
  for (const [name, input, expected] of cases) {
    it(`names the field: ${name}`, () => assert.match(problemsOf(input), expected));
  }

  it('loads YAML, resolves secret files relative to the config file, reports YAML errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ib-config-'));
    const file = join(dir, 'broker.yaml');
    writeFileSync(
      file,
      'openbao:\n  auth: {method: approle, role_id: {file: role-id}, secret_id: {file: secret-id}}\napplications:\n  chatbot: {}\n',
    );
    const config = loadConfig(file, env);
    const auth = config.openbao.auth;
    assert.ok(auth?.method === 'approle');
    assert.deepEqual(auth.secret_id, { file: join(dir, 'secret-id') });
    writeFileSync(file, 'applications: [unclosed\n');
    assert.throws(() => loadConfig(file, env), /\(yaml\)/);
  });
});
