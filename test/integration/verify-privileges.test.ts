import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { bootstrap } from '../../src/bootstrap/bootstrap.js';
import { requiredCapabilities, sensitivePaths } from '../../src/broker/privileges.js';
import { startBao } from '../helpers/bao.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { testConfig } from '../helpers/config.js';

const bao = await startBao();
const dir = mkdtempSync(join(tmpdir(), 'ib-verify-'));
const credentialsDir = join(dir, 'approle');
const config = testConfig(bao.addr);
await bootstrap(bao.root, config, { credentialsDir });
const secretId = readFileSync(join(credentialsDir, 'secret-id'), 'utf8').trim();

/** A broker config; with `approle`, verify-privileges logs in as the broker does. */
function configFile(name: string, approle: boolean): string {
  const file = join(dir, `${name}.yaml`);
  const auth = { method: 'approle', role_id: { file: join(credentialsDir, 'role-id') }, secret_id: { file: join(credentialsDir, 'secret-id') } };
  writeFileSync(
    file,
    stringify({
      openbao: { addr: bao.addr, ...(approle ? { auth } : {}) },
      applications: { chatbot: {}, analytics: { max_ttl: '30m', default_ttl: '10m', num_uses: 50 } },
      log: { level: 'silent' },
    }),
  );
  return file;
}

function tokenFile(name: string, token: string): string {
  const file = join(dir, `${name}.token`);
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return file;
}

/** Runs the CLI with no token in the environment unless one is given. */
const verify = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
  runCli(['verify-privileges', ...args], { env: { BAO_TOKEN: '', VAULT_TOKEN: '', BAO_ADDR: '', ...env } });

function assertNeverPrinted(result: CliResult, ...secrets: string[]): void {
  for (const secret of secrets) {
    assert.ok(!result.stdout.includes(secret) && !result.stderr.includes(secret), 'a token or secret_id was printed');
  }
}

describe('verify-privileges against a real OpenBao', () => {
  it("passes the broker's own token (AppRole login from the config): exit 0, a row per path, all ok", async () => {
    const result = await verify(['--config', configFile('approle', true)]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /token from the broker's own login \(openbao\.auth\.method approle\)/);
    assert.match(result.stdout, /^PATH +CAPABILITIES +EXPECTED +VERDICT$/m);
    // The rows are exactly the start-up self-check's paths: the same code asks.
    for (const path of sensitivePaths(config)) assert.match(result.stdout, new RegExp(`^${path} +deny +deny +ok$`, 'm'), path);
    for (const [path, cap] of Object.entries(requiredCapabilities(config))) {
      assert.match(result.stdout, new RegExp(`^${path} +${cap} +${cap} +ok$`, 'm'), path);
    }
    assert.match(result.stdout, /OK: \d+ paths checked, nothing excess, nothing missing/);
    assertNeverPrinted(result, secretId);
  });

  it('fails a token with an added sys/* policy and names the paths (--token-file wins over the config login)', async () => {
    await bao.root.sys.writePolicy('too-much', 'path "sys/*" { capabilities = ["create", "read", "update"] }');
    const token = (await bao.root.token.create({ policies: ['identity-broker', 'too-much'], ttl: '10m' })).client_token;
    const result = await verify(['--config', configFile('approle', true), '--token-file', tokenFile('sys', token)]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /^sys\/policies\/acl\/x +create,read,update +deny +EXCESS$/m);
    assert.match(result.stdout, /^sys\/mounts\/x +create,read,update +deny +EXCESS$/m);
    assert.match(result.stderr, /does not match least privilege/);
    assert.match(result.stderr, /excess: sys\/policies\/acl\/x \[create, read, update\]/);
    assertNeverPrinted(result, token, secretId);
  });

  it('takes BAO_TOKEN when the config has no openbao.auth: the broker policy alone passes', async () => {
    const token = (await bao.root.token.create({ policies: ['identity-broker'], ttl: '10m' })).client_token;
    const result = await verify(['--config', configFile('plain', false)], { BAO_TOKEN: token });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /token from BAO_TOKEN/);
    assertNeverPrinted(result, token);
  });

  it('fails a root token, saying so, without printing it', async () => {
    const result = await verify(['--config', configFile('plain', false)], { VAULT_TOKEN: bao.rootToken });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /ROOT TOKEN/);
    assert.match(result.stderr, /root token/);
    assertNeverPrinted(result, bao.rootToken);
  });

  it('fails a token that lacks what the broker needs: the row says MISSING', async () => {
    const token = (await bao.root.token.create({ policies: ['default'], ttl: '10m' })).client_token;
    const result = await verify(['--config', configFile('plain', false), '--token-file', tokenFile('weak', token)]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^auth\/token\/create\/chatbot-user +deny +update +MISSING$/m);
    assert.match(result.stderr, /missing: auth\/token\/create\/chatbot-user \[update\]/);
    assertNeverPrinted(result, token);
  });

  it('exit 2 when OpenBao refuses the token; exit 1 when there is no token at all', async () => {
    const bogus = 's.notARealToken0000000000';
    const refused = await verify(['--config', configFile('plain', false), '--token-file', tokenFile('bogus', bogus)]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /403/);
    assertNeverPrinted(refused, bogus);
    const none = await verify(['--config', configFile('plain', false)]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no token to check/);
  });
});
