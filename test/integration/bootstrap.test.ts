import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bootstrap } from '../../src/bootstrap/bootstrap.js';
import { brokerPolicyHcl, userPolicyHcl } from '../../src/bootstrap/policies.js';
import { startBao } from '../helpers/bao.js';
import { testConfig } from '../helpers/config.js';

// Top-level await: the helper's after() then belongs to the file, not to a hook.
const bao = await startBao();

describe('bootstrap against a real OpenBao', () => {
  const credentialsDir = join(mkdtempSync(join(tmpdir(), 'ib-boot-')), 'approle');

  it('--dry-run reports the plan and changes nothing', async () => {
    const config = testConfig(bao.addr, { applications: { drydemo: {} } });
    const result = await bootstrap(bao.root, config, { dryRun: true, credentialsDir });
    const planned = result.changes.map((c) => `${c.action} ${c.kind} ${c.name}`);
    assert.ok(planned.includes('create policy drydemo-user'), planned.join('\n'));
    assert.ok(planned.includes('create token_role drydemo-user'));
    assert.equal(await bao.root.sys.readPolicy('drydemo-user'), undefined);
    assert.equal(await bao.root.token.readRole('drydemo-user'), undefined);
  });

  it('applies the config, and a second run changes nothing', async () => {
    const config = testConfig(bao.addr);
    const first = await bootstrap(bao.root, config, { credentialsDir });
    const kinds = new Set(first.changes.map((c) => c.kind));
    for (const kind of ['secret_mount', 'auth_method', 'policy', 'token_role', 'approle_role', 'secret_id']) {
      assert.ok(kinds.has(kind as never), `first run should ${kind}: ${JSON.stringify(first.changes)}`);
    }
    const second = await bootstrap(bao.root, config, { credentialsDir });
    assert.deepEqual(second.changes, []);
    const dry = await bootstrap(bao.root, config, { credentialsDir, dryRun: true });
    assert.deepEqual(dry.changes, []);
  });

  it('writes the AppRole credentials with mode 0600', () => {
    for (const name of ['role-id', 'secret-id']) {
      assert.equal(statSync(join(credentialsDir, name)).mode & 0o777, 0o600, name);
    }
  });

  it('stores exactly the generated policy text', async () => {
    const config = testConfig(bao.addr);
    assert.equal(await bao.root.sys.readPolicy('chatbot-user'), userPolicyHcl('chatbot', 'kv'));
    assert.equal(await bao.root.sys.readPolicy('identity-broker'), brokerPolicyHcl(config));
    const policies = await bao.root.sys.listPolicies();
    assert.ok(!policies.some((p) => p.startsWith('user-')), 'no per-user policies');
  });

  it('creates token roles exactly as designed', async () => {
    const chatbot = await bao.root.token.readRole('chatbot-user');
    assert.ok(chatbot);
    assert.deepEqual(chatbot.allowed_policies, ['chatbot-user']);
    assert.deepEqual(chatbot.allowed_entity_aliases, ['chatbot:*']);
    assert.equal(chatbot.orphan, true);
    assert.equal(chatbot.renewable, false);
    assert.equal(chatbot.token_explicit_max_ttl, 7200);
    assert.equal(chatbot.token_num_uses, 500);
    assert.equal(chatbot.token_no_default_policy, true);
    const analytics = await bao.root.token.readRole('analytics-user');
    assert.equal(analytics?.token_explicit_max_ttl, 1800);
    assert.equal(analytics?.token_num_uses, 50);
    assert.deepEqual(analytics?.allowed_entity_aliases, ['analytics:*']);
  });

  it('mounts KV version 2 for user data', async () => {
    const mounts = await bao.root.sys.listMounts();
    assert.equal(mounts['kv/']?.type, 'kv');
    assert.equal(mounts['kv/']?.options?.['version'], '2');
  });

  it('--rotate-secret-id issues a new secret_id and the old one stops working', async () => {
    const config = testConfig(bao.addr);
    const roleId = readFileSync(join(credentialsDir, 'role-id'), 'utf8').trim();
    const oldSecret = readFileSync(join(credentialsDir, 'secret-id'), 'utf8').trim();
    const result = await bootstrap(bao.root, config, { credentialsDir, rotateSecretId: true });
    assert.deepEqual(result.changes.map((c) => c.kind), ['secret_id']);
    const newSecret = readFileSync(join(credentialsDir, 'secret-id'), 'utf8').trim();
    assert.notEqual(newSecret, oldSecret);
    assert.ok((await bao.root.approle.login(roleId, newSecret)).client_token);
    await assert.rejects(bao.root.approle.login(roleId, oldSecret), { status: 400 });
    assert.equal((await bao.root.approle.listSecretIdAccessors('identity-broker')).length, 1);
  });

  it('repairs drift: a loosened token role is put back', async () => {
    const config = testConfig(bao.addr);
    await bao.root.token.writeRole('chatbot-user', { renewable: true, token_num_uses: 0 });
    const repair = await bootstrap(bao.root, config, { credentialsDir });
    const change = repair.changes.find((c) => c.kind === 'token_role');
    assert.deepEqual(change?.fields?.sort(), ['renewable', 'token_num_uses']);
    const role = await bao.root.token.readRole('chatbot-user');
    assert.equal(role?.renewable, false);
    assert.equal(role?.token_num_uses, 500);
  });
});
