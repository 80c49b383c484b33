import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintPolicyText } from './lint-policy.js';
import { PolicyParseError } from './model.js';
import { parsePolicy } from './parse-policy.js';

async function parseError(file: string, text: string): Promise<PolicyParseError> {
  try {
    await parsePolicy(file, text);
  } catch (error) {
    assert.ok(error instanceof PolicyParseError, String(error));
    return error;
  }
  assert.fail('expected a parse error');
}

describe('parsePolicy: input it cannot read', () => {
  it('malformed HCL: the line and column of the first error', async () => {
    const error = await parseError('bad.hcl', 'path "kv/data/a" {\n  capabilities = ["read"\n}\n');
    assert.equal(error.line, 3);
    assert.equal(error.column, 1);
    assert.match(error.reason, /Missing item separator/);
    assert.equal(error.message.split(': ')[0], 'bad.hcl:3:1');
  });

  it('many HCL errors: reports the first and counts the rest', async () => {
    const error = await parseError('config.yaml', 'listen:\n  port: 8080\nopenbao:\n  addr: x\n');
    assert.equal(error.line, 1);
    assert.match(error.reason, /more error/);
  });

  it('malformed JSON: line and column', async () => {
    const error = await parseError('p.json', '{"path": {\n  "a": {"capabilities": ["read"]}\n  "b": {}\n}}');
    assert.deepEqual([error.line, error.column], [3, 3]);
    assert.match(error.reason, /invalid JSON: expected "," or "}"/);
  });

  it('HCL that is not a policy (an agent config) names the unknown block and its line', async () => {
    const error = await parseError('agent.hcl', '# agent\npid_file = "./pidfile"\n\nvault {\n  address = "https://x"\n}\n');
    assert.equal(error.line, 2);
    assert.match(error.reason, /unknown top-level "pid_file"/);
  });

  it('an empty file, or one without path blocks, is not a policy', async () => {
    assert.match((await parseError('empty.hcl', '')).reason, /no `path` blocks/);
    assert.match((await parseError('empty.json', '{}')).reason, /no `path` blocks/);
  });

  it('a path block needs exactly one label', async () => {
    assert.match((await parseError('p.hcl', 'path "a" "b" {\n  capabilities = ["read"]\n}\n')).reason, /exactly one label/);
  });
});

describe('parsePolicy: what it reads', () => {
  it('keeps blocks in source order with their lines; commented-out blocks do not shift them', async () => {
    const doc = await parsePolicy(
      'p.hcl',
      '# path "commented/out" {}\n/* path "also/out" {\n} */\npath "b" {\n  capabilities = ["read"]\n}\n\npath "a" {\n  policy = "write"\n}\n',
    );
    assert.deepEqual(
      doc.blocks.map((b) => [b.path, b.line]),
      [['b', 4], ['a', 8]],
    );
    assert.deepEqual(doc.blocks[1]?.capabilities, ['create', 'read', 'update', 'delete', 'list']);
    assert.equal(doc.name, 'p');
  });

  it('reads a top-level name and the lines of parameter constraints', async () => {
    const doc = await parsePolicy('x.hcl', 'name = "user-bob"\npath "a" {\n  capabilities = ["update"]\n  allowed_parameters = {\n    "ttl" = ["1h"]\n    "policies" = ["p"]\n  }\n}\n');
    assert.deepEqual([doc.name, doc.nameLine], ['user-bob', 1]);
    assert.deepEqual(doc.blocks[0]?.allowed?.map((c) => [c.name, c.line]), [['ttl', 5], ['policies', 6]]);
  });

  it('JSON policies: recognised by name or by a leading "{", duplicate keys kept with their lines', async () => {
    const text = [
      '{',
      '  "path": {',
      '    "auth/token/create": {"capabilities": ["create"]},',
      '    "auth/token/create": {',
      '      "capabilities": ["deny"],',
      '      "denied_parameters": {"policies": ["root"]}',
      '    }',
      '  }',
      '}',
    ].join('\n');
    for (const file of ['seed.json', 'seed.policy']) {
      const findings = await lintPolicyText(file, text);
      assert.deepEqual(
        findings.map((f) => `${f.line} ${f.rule}`),
        ['3 overbroad-grant', '4 duplicate-path', '6 deny-with-parameters', '6 list-parameter-constraint'],
        file,
      );
      assert.equal((await parsePolicy(file, text)).format, 'json');
    }
  });

  it('JSON in HCL\'s list form ("path": [{…}, {…}]) reads every block', async () => {
    const doc = await parsePolicy('l.json', '{"path": [{"a": {"capabilities": ["read"]}}, {"a": {"capabilities": ["list"]}}]}');
    assert.deepEqual(doc.blocks.map((b) => b.capabilities), [['read'], ['list']]);
  });
});
