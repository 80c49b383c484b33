import type { Command } from 'commander';
import { verifyAuditFile } from '../observability/audit-verify.js';
import { CliError } from './errors.js';

export function registerAudit(program: Command): void {
  const audit = program.command('audit').summary('inspect the broker audit log');
  audit
    .command('verify <file>')
    .summary('check the hash chain: exit 0 if intact, 1 at the first tampered, missing or reordered record')
    .action((file: string) => {
      let result: ReturnType<typeof verifyAuditFile>;
      try {
        result = verifyAuditFile(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new CliError(`audit log not found: ${file}`);
        throw error;
      }
      const problem = result.firstProblem;
      if (result.ok || !problem) {
        console.log(`audit log OK: ${result.records} records, chain intact`);
        return;
      }
      const where = problem.seq === undefined ? `line ${problem.line}` : `line ${problem.line} (seq ${problem.seq})`;
      throw new CliError(`audit log TAMPERED at ${where}: ${problem.reason}`, 1);
    });
}
