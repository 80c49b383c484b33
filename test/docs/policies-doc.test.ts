import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { lintPolicyText, RULES } from '../../src/policy/lint-policy.js';
import type { RuleId } from '../../src/policy/model.js';

const doc = readFileSync(new URL('../../docs/policies.md', import.meta.url), 'utf8');

/** Each `### \`rule-id\`` section, with the first hcl block after "Bad" and after "Good". */
function sections(): Map<string, { bad?: string; good?: string }> {
  const found = new Map<string, { bad?: string; good?: string }>();
  const parts = doc.split(/^### `([a-z-]+)`.*$/m);
  for (let i = 1; i < parts.length; i += 2) {
    const body = parts[i + 1] ?? '';
    const example = (label: string) => new RegExp(`^${label}[^\\n]*\\n(?:[^\\n]*\\n)*?\`\`\`hcl\\n([\\s\\S]*?)\`\`\``, 'm').exec(body)?.[1];
    found.set(parts[i] as string, { bad: example('Bad'), good: example('Good') });
  }
  return found;
}

describe('docs/policies.md', () => {
  const documented = sections();

  it('has a section for every rule and none for an unknown one', () => {
    assert.deepEqual([...documented.keys()].sort(), Object.keys(RULES).sort());
  });

  for (const rule of Object.keys(RULES) as RuleId[]) {
    it(`${rule}: the bad example produces it, the good example lints clean`, async () => {
      const { bad, good } = documented.get(rule) ?? {};
      assert.ok(bad && good, `${rule} needs a Bad and a Good hcl example`);
      const badFindings = await lintPolicyText(`docs-${rule}-bad.hcl`, bad);
      assert.ok(badFindings.some((f) => f.rule === rule), `${rule} bad example: ${JSON.stringify(badFindings)}`);
      assert.deepEqual(await lintPolicyText(`docs-${rule}-good.hcl`, good), []);
    });
  }

  it('names the command that regenerates deploy/policies/', () => {
    assert.ok(doc.includes('npm run cli -- bootstrap --config config/identity-broker.example.yaml --dry-run --emit-policies deploy/policies'));
  });
});
