import { Option, type Command } from 'commander';
import { formatJson, formatText, summary } from '../policy/format-findings.js';
import { hasErrors, lintFiles, RULES } from '../policy/lint-policy.js';
import { CliError } from './errors.js';

export function registerLintPolicy(program: Command): void {
  program
    .command('lint-policy')
    .summary('check OpenBao ACL policies (HCL or JSON) for the mistakes that erode least privilege')
    .description(
      'Reads each policy file offline (no OpenBao needed) and reports, per finding, file, line, rule, severity ' +
        'and a one-line fix. Exits 1 on any error-level finding or any file that cannot be read as a policy ' +
        '(reported with its line and column), else 0.',
    )
    .addHelpText('after', `\nRules (each explained in docs/policies.md):\n${Object.entries(RULES)
      .map(([id, rule]) => `  ${id.padEnd(26)} ${rule.summary}`)
      .join('\n')}`)
    .argument('<files...>', 'policy files (.hcl, or .json)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (files: string[], opts: { format: 'text' | 'json' }) => {
      const result = await lintFiles(files);
      process.stdout.write(opts.format === 'json' ? formatJson(result) : formatText(result));
      if (hasErrors(result)) {
        // Findings are on stdout already; the exit code is what CI reads.
        const first = result.failures[0];
        const why = first ? `${first.file}${first.line ? `:${first.line}:${first.column ?? 1}` : ''}: ${first.message}` : summary(result);
        throw new CliError(`lint-policy failed: ${why}`, 1);
      }
    });
}
