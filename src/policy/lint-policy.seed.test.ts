import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { lintPolicyText } from './lint-policy.js';
import type { Finding, RuleId } from './model.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/seed-policies/', import.meta.url));

async function lintFixture(name: string): Promise<Finding[]> {
  return lintPolicyText(`${FIXTURES}${name}`, readFileSync(`${FIXTURES}${name}`, 'utf8'));
}

const at = (findings: Finding[]) => findings.map((f) => `${f.line} ${f.rule}`).sort();

describe("the seed's policies, linted", () => {
  it('chatbot-service-policy: token create without a role, list constraints, a duplicate whose deny wins, deny with parameters', async () => {
    const findings = await lintFixture('chatbot-service-policy.hcl');
    assert.deepEqual(at(findings), [
      '3 overbroad-grant',
      '34 duplicate-path',
      '36 deny-with-parameters',
      '37 list-parameter-constraint',
      '6 list-parameter-constraint',
    ]);
    const duplicate = findings.find((f) => f.rule === 'duplicate-path');
    assert.match(duplicate?.message ?? '', /lines 3, 34/);
    assert.match(duplicate?.message ?? '', /\["deny"\]: deny wins and drops \[create\] on line 3 and every parameter constraint/);
    assert.match(findings.find((f) => f.line === 37)?.message ?? '', /openbao\/openbao#2277/);
    assert.match(findings.find((f) => f.line === 37)?.message ?? '', /\["admin-policy", "x"\] or "admin-policy,x" is not denied/);
    assert.match(findings.find((f) => f.rule === 'overbroad-grant')?.message ?? '', /cancels it today/);
  });

  it('identity-service-policy: identity and policy writes, per-user policies, map constraints, a duplicate, deny with parameters', async () => {
    const findings = await lintFixture('identity-service-policy.hcl');
    assert.deepEqual(at(findings), [
      '13 overbroad-grant',
      '18 overbroad-grant',
      '18 per-user-policy',
      '22 overbroad-grant',
      '25 list-parameter-constraint',
      '3 overbroad-grant',
      '30 duplicate-path',
      '32 deny-with-parameters',
      '33 list-parameter-constraint',
      '6 list-parameter-constraint',
    ]);
    assert.match(findings.find((f) => f.line === 18 && f.rule === 'overbroad-grant')?.message ?? '', /ACL policies/);
    assert.match(findings.find((f) => f.line === 30)?.message ?? '', /deny wins and drops \[read, update, delete\] on line 13/);
    assert.match(findings.find((f) => f.line === 6)?.message ?? '', /compared with the request's value as one whole/);
  });

  it("the per-user template: named for one user, an entity id written into the path, self-update of the entity", async () => {
    const findings = await lintFixture('user-alice-chatbot.hcl');
    assert.deepEqual(at(findings), ['1 per-user-policy', '16 overbroad-grant', '16 untemplated-user-path']);
    assert.match(findings[0]?.message ?? '', /"user-alice-chatbot" is named for one user/);
    assert.match(findings.find((f) => f.rule === 'untemplated-user-path')?.message ?? '', /hard-codes the id 5f2c8a1e-/);
  });

  it('chatbot-user-policy: a deny-only catch-all is not a grant, so nothing to report', async () => {
    assert.deepEqual(await lintFixture('chatbot-user-policy.hcl'), []);
  });

  it('together they show every defect the issue names, each as an error with a fix', async () => {
    const all = (
      await Promise.all(['chatbot-service-policy.hcl', 'identity-service-policy.hcl', 'user-alice-chatbot.hcl'].map(lintFixture))
    ).flat();
    const rules = new Set<RuleId>(all.map((f) => f.rule));
    for (const rule of ['duplicate-path', 'deny-with-parameters', 'list-parameter-constraint', 'overbroad-grant', 'per-user-policy', 'untemplated-user-path'] as const) {
      assert.ok(rules.has(rule), rule);
    }
    for (const f of all) {
      assert.equal(f.severity, 'error');
      assert.ok(f.fix.length > 0 && !f.fix.includes('\n'), `one-line fix for ${f.rule}`);
      assert.ok(f.file.endsWith('.hcl'));
    }
  });
});
