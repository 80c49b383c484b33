import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { bootstrap } from '../../src/bootstrap/bootstrap.js';
import { checkPrivileges, privilegesOk, sensitivePaths } from '../../src/broker/privileges.js';
import { startBao } from '../helpers/bao.js';
import { brokerClient } from '../helpers/broker-login.js';
import { runCli } from '../helpers/cli.js';
import { testConfig } from '../helpers/config.js';

const bao = await startBao();
const dir = mkdtempSync(join(tmpdir(), 'ib-priv-'));
const credentialsDir = join(dir, 'approle');
const config = testConfig(bao.addr);
await bootstrap(bao.root, config, { credentialsDir });

/** A config file whose broker logs in with the token in `tokenFile`. */
function tokenFileConfig(name: string, token: string): string {
  const tokenFile = join(dir, `${name}.token`);
  writeFileSync(tokenFile, token, { mode: 0o600 });
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    stringify({
      listen: { port: 0 },
      openbao: { addr: bao.addr, auth: { method: 'token_file', token: { file: tokenFile } } },
      applications: { chatbot: {}, analytics: {} },
      log: { level: 'silent' },
    }),
  );
  return file;
}

describe("the broker's own token", () => {
  it('is denied every sensitive path and may update only its token-create roles', async () => {
    const broker = await brokerClient(bao, credentialsDir);
    const sensitive = sensitivePaths(config);
    assert.ok(sensitive.includes('kv/data/chatbot/users/x/y') && sensitive.includes('sys/policies/acl/user-x'));
    const caps = await broker.sys.capabilitiesSelf([
      ...sensitive,
      'auth/token/create/chatbot-user',
      'auth/token/create/analytics-user',
      'auth/token/create/other-user',
    ]);
    for (const path of sensitive) assert.deepEqual(caps[path], ['deny'], path);
    assert.deepEqual(caps['auth/token/create/chatbot-user'], ['update']);
    assert.deepEqual(caps['auth/token/create/analytics-user'], ['update']);
    assert.deepEqual(caps['auth/token/create/other-user'], ['deny']);
    const report = await checkPrivileges(broker, config);
    assert.ok(privilegesOk(report), JSON.stringify(report));
  });

  it('cannot write policies, mounts or entities (asked of OpenBao, not of a policy file)', async () => {
    const broker = await brokerClient(bao, credentialsDir);
    await assert.rejects(broker.sys.writePolicy('evil', 'path "*" { capabilities = ["sudo"] }'), { status: 403 });
    await assert.rejects(broker.sys.enableMount('evil', 'kv'), { status: 403 });
    await assert.rejects(broker.token.writeRole('chatbot-user', { allowed_policies: ['root'] }), { status: 403 });
  });
});

describe('the start-up self-check', () => {
  it('refuses a root token: non-zero exit, names the excess', async () => {
    const result = await runCli(['serve', '--config', tokenFileConfig('root', bao.rootToken)]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /refusing to start/);
    assert.match(result.stderr, /root token/);
    assert.ok(!result.stderr.includes(bao.rootToken), 'the token itself is never printed');
  });

  it('refuses a token carrying an extra sys/* policy and lists the excess paths', async () => {
    await bao.root.sys.writePolicy('too-much', 'path "sys/*" { capabilities = ["create", "read", "update"] }');
    const token = await bao.root.token.create({ policies: ['identity-broker', 'too-much'], ttl: '10m' });
    const result = await runCli(['serve', '--config', tokenFileConfig('sys', token.client_token)]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /excess: sys\/policies\/acl\/x \[create, read, update\]/);
    assert.match(result.stderr, /excess: sys\/mounts\/x/);
    assert.match(result.stderr, /excess: sys\/auth\/x/);
    assert.ok(!result.stderr.includes(token.client_token));
  });

  it("refuses the seed's per-user policy rights and user-data reads", async () => {
    await bao.root.sys.writePolicy(
      'seed-like',
      'path "sys/policies/acl/user-*" { capabilities = ["create", "update"] }\npath "kv/data/*" { capabilities = ["read"] }',
    );
    const token = await bao.root.token.create({ policies: ['identity-broker', 'seed-like'], ttl: '10m' });
    const result = await runCli(['serve', '--config', tokenFileConfig('seed', token.client_token)]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /excess: sys\/policies\/acl\/user-x \[create, update\]/);
    assert.match(result.stderr, /excess: kv\/data\/chatbot\/users\/x\/y \[read\]/);
  });

  it('refuses a token that lacks what the broker needs, naming the missing path', async () => {
    const token = await bao.root.token.create({ policies: ['default'], ttl: '10m' });
    const result = await runCli(['serve', '--config', tokenFileConfig('weak', token.client_token)]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /missing: auth\/token\/create\/chatbot-user \[update\]/);
  });
});
