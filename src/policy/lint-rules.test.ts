import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../config.js';
import { policyFiles } from './emit-policies.js';
import { lintPolicyText } from './lint-policy.js';
import type { Finding } from './model.js';

const block = (path: string, body: string) => `path "${path}" {\n${body}\n}\n`;
const caps = (...c: string[]) => `  capabilities = ${JSON.stringify(c)}`;
const lint = (text: string, file = 'p.hcl') => lintPolicyText(file, text);
const rules = (findings: Finding[]) => findings.map((f) => `${f.severity} ${f.rule}`);

describe('invalid-policy', () => {
  it('flags unknown keys, capabilities and "+*", and warns about a block that grants nothing', async () => {
    const findings = await lint(block('a/+*', '  capabilties = ["read"]') + block('b', caps('read', 'write')) + block('c', '  policy = "admin"'));
    assert.deepEqual(rules(findings), [
      'error invalid-policy', // "+*"
      'warning invalid-policy', // no capabilities
      'error invalid-policy', // capabilties
      'error invalid-policy', // write
      'warning invalid-policy', // line 7: so no capabilities
      'error invalid-policy', // line 8: policy = "admin"
    ]);
    assert.match(findings.find((f) => f.line === 2)?.message ?? '', /unknown key "capabilties"/);
    assert.match(findings.find((f) => f.line === 5)?.message ?? '', /unknown capability "write"/);
  });
});

describe('duplicate-path', () => {
  it('without deny: the merged rule is the union of capabilities; a leading slash is the same path', async () => {
    const findings = await lint(block('kv/data/shared/*', caps('read')) + block('/kv/data/shared/*', caps('create', 'update')));
    assert.deepEqual(rules(findings), ['error duplicate-path']);
    assert.equal(findings[0]?.line, 4);
    assert.match(findings[0]?.message ?? '', /capabilities \[read, create, update\] \(the union\)/);
  });

  it('does not merge an exact path with its glob', async () => {
    assert.deepEqual(await lint(block('kv/data/a', caps('read')) + block('kv/data/a*', caps('read'))), []);
  });
});

describe('deny-with-parameters', () => {
  it('reports each parameter key on a deny block, at its line', async () => {
    const findings = await lint(block('kv/data/x', `${caps('deny')}\n  required_parameters = ["a"]`));
    assert.deepEqual(findings.map((f) => [f.rule, f.line]), [['deny-with-parameters', 3]]);
  });
});

describe('list-parameter-constraint', () => {
  const params = (kind: string, entries: string) => block('auth/token/create/app', `${caps('update')}\n  ${kind} = {\n${entries}\n  }`);

  it('flags values on list-valued parameters and structured values, not scalars or []', async () => {
    assert.deepEqual(rules(await lint(params('denied_parameters', '    "token_policies" = ["admin"]'))), ['error list-parameter-constraint']);
    assert.deepEqual(rules(await lint(params('allowed_parameters', '    "ttl" = [["1h"]]'))), ['error list-parameter-constraint']);
    assert.deepEqual(await lint(params('allowed_parameters', '    "ttl" = ["1h", "2h"]\n    "policies" = []')), []);
    assert.deepEqual(await lint(params('denied_parameters', '    "policies" = []')), []);
  });
});

describe('overbroad-grant', () => {
  const cases: [string, string[], string | undefined][] = [
    ['*', ['read'], 'error'],
    ['+/*', ['list'], 'error'],
    ['sys/*', ['update'], 'error'],
    ['sys/policy/app', ['create'], 'error'],
    ['sys/mounts/kv', ['sudo'], 'error'],
    ['identity/entity/id/{{identity.entity.id}}', ['update'], 'error'],
    ['auth/token/roles/chatbot-user', ['update'], 'error'],
    ['auth/token/create-orphan', ['update'], 'error'],
    ['auth/token/create/*', ['update'], 'warning'],
    ['sys/*', ['read', 'list'], undefined],
    ['sys/leases/renew', ['update'], undefined],
    ['identity/oidc/token/app', ['read'], undefined],
    ['auth/token/create/chatbot-user', ['update'], undefined],
    ['*', ['deny'], undefined],
  ];
  for (const [path, capabilities, severity] of cases) {
    it(`path "${path}" [${capabilities.join(', ')}] → ${severity ?? 'clean'}`, async () => {
      const findings = (await lint(block(path, caps(...capabilities)))).filter((f) => f.rule === 'overbroad-grant');
      assert.deepEqual(findings.map((f) => f.severity), severity ? [severity] : []);
    });
  }
});

describe('per-user-policy and untemplated-user-path', () => {
  it('a user-* name (top-level or file name) and per-user policy paths', async () => {
    assert.deepEqual(rules(await lint(block('auth/token/lookup-self', caps('read')), 'user_42.hcl')), ['error per-user-policy']);
    const findings = await lint(block('sys/policy/user-*', caps('read')));
    assert.deepEqual(rules(findings), ['error per-user-policy']);
  });

  it('one named user, a glob over all users, and a templated path', async () => {
    assert.match((await lint(block('kv/data/app/users/alice/*', caps('read'))))[0]?.message ?? '', /names one user \("alice"\)/);
    assert.match((await lint(block('kv/data/user-bob/*', caps('read'))))[0]?.message ?? '', /names one user \("user-bob"\)/);
    assert.match((await lint(block('kv/data/app/users/*', caps('read'))))[0]?.message ?? '', /every user's data/);
    assert.deepEqual(await lint(block('kv/data/app/users/{{identity.entity.id}}/*', caps('read'))), []);
  });
});

describe('template-unsafe-value', () => {
  it('metadata is an error, names a warning, ids and accessors are safe; a dropped deny is named', async () => {
    const text =
      block('kv/data/{{identity.entity.metadata.email}}/*', caps('read')) +
      block('kv/data/{{identity.entity.aliases.auth_token_1a2b.name}}/*', caps('read')) +
      block('kv/data/{{identity.entity.aliases.auth_token_1a2b.id}}/{{identity.groups.names.ops.id}}/*', caps('read')) +
      block('kv/data/{{identity.entity.name}}/secret', caps('deny')) +
      block('kv/data/{{identity.entity.aliases.auth_token_1a2b.metadata.id}}/*', caps('read'));
    const findings = await lint(text);
    assert.deepEqual(rules(findings), [
      'error template-unsafe-value',
      'warning template-unsafe-value',
      'warning template-unsafe-value',
      'error template-unsafe-value', // a metadata key named "id" is still metadata
    ]);
    assert.match(findings[2]?.message ?? '', /this deny is silently dropped/);
  });
});

describe('clean policies', () => {
  it('the policies bootstrap generates give no findings', async () => {
    const config = parseConfig({ openbao: { addr: 'http://127.0.0.1:1', kv_mount: 'secret' }, applications: { chatbot: {}, 'support-bot': {} } });
    for (const { file, hcl } of policyFiles(config)) assert.deepEqual(await lint(hcl, file), [], file);
  });
});
