import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatJson, formatText } from './format-findings.js';
import { hasErrors, type LintResult } from './lint-policy.js';

const result: LintResult = {
  files: ['a.hcl', 'b.hcl'],
  findings: [
    { file: 'a.hcl', line: 3, rule: 'duplicate-path', severity: 'error', message: 'declared twice', fix: 'write one block' },
    { file: 'a.hcl', line: 9, rule: 'template-unsafe-value', severity: 'warning', message: 'a name', fix: 'use the id' },
  ],
  failures: [{ file: 'b.hcl', line: 2, column: 7, message: 'Missing item separator' }],
};

describe('formatting findings', () => {
  it('text: file:line:column for unreadable input, file:line severity rule for findings, the fix indented, a summary', () => {
    assert.equal(
      formatText(result),
      [
        'b.hcl:2:7: error: Missing item separator',
        'a.hcl:3: error duplicate-path: declared twice',
        '    fix: write one block',
        'a.hcl:9: warning template-unsafe-value: a name',
        '    fix: use the id',
        '1 error, 1 warning in 2 files, 1 not lintable',
        '',
      ].join('\n'),
    );
  });

  it('json: counts, unparsable files and findings with every field', () => {
    const json = JSON.parse(formatJson(result)) as Record<string, unknown>;
    assert.deepEqual(json['files'], ['a.hcl', 'b.hcl']);
    assert.equal(json['errors'], 1);
    assert.equal(json['warnings'], 1);
    assert.deepEqual(json['unparsable'], result.failures);
    assert.deepEqual(json['findings'], result.findings);
  });

  it('warnings alone do not fail; an error or an unreadable file does', () => {
    const warningsOnly = { files: ['a.hcl'], findings: result.findings.slice(1), failures: [] };
    assert.equal(hasErrors(warningsOnly), false);
    assert.equal(hasErrors({ ...warningsOnly, failures: result.failures }), true);
    assert.equal(hasErrors(result), true);
  });
});
