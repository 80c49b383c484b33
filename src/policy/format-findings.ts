import type { LintResult } from './lint-policy.js';

/**
 * Text for people (`file:line: severity rule: message`, then the fix, as compilers and
 * linters print so editors can jump to it) and JSON for CI.
 */
export function formatText(result: LintResult): string {
  const lines: string[] = [];
  for (const f of result.failures) {
    const where = f.line === undefined ? f.file : `${f.file}:${f.line}:${f.column ?? 1}`;
    lines.push(`${where}: error: ${f.message}`);
  }
  for (const f of result.findings) {
    lines.push(`${f.file}:${f.line}: ${f.severity} ${f.rule}: ${f.message}`);
    lines.push(`    fix: ${f.fix}`);
  }
  lines.push(summary(result));
  return `${lines.join('\n')}\n`;
}

export function formatJson(result: LintResult): string {
  const counts = countBySeverity(result);
  return `${JSON.stringify(
    {
      files: result.files,
      errors: counts.errors,
      warnings: counts.warnings,
      unparsable: result.failures,
      findings: result.findings,
    },
    null,
    2,
  )}\n`;
}

export function summary(result: LintResult): string {
  const { errors, warnings } = countBySeverity(result);
  const files = `${result.files.length} file${result.files.length === 1 ? '' : 's'}`;
  const broken = result.failures.length ? `, ${result.failures.length} not lintable` : '';
  return `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} in ${files}${broken}`;
}

function countBySeverity(result: LintResult): { errors: number; warnings: number } {
  const errors = result.findings.filter((f) => f.severity === 'error').length;
  return { errors, warnings: result.findings.length - errors };
}
