import { readFile } from 'node:fs/promises';
import { overbroadGrant, perUserPolicy, templateUnsafeValue, untemplatedUserPath } from './grant-rules.js';
import { denyWithParameters, duplicatePath, invalidPolicy, listParameterConstraint } from './lint-rules.js';
import { PolicyParseError, type Finding, type PolicyDocument, type RuleId } from './model.js';
import { parsePolicy } from './parse-policy.js';

/** Every rule, with the one-line summary docs/policies.md expands on (a test keeps them in step). */
export const RULES: Record<RuleId, { check: (doc: PolicyDocument) => Finding[]; summary: string }> = {
  'invalid-policy': { check: invalidPolicy, summary: 'keys, capabilities or globs OpenBao refuses, and blocks that grant nothing' },
  'duplicate-path': { check: duplicatePath, summary: 'two blocks for one path, which OpenBao silently merges' },
  'deny-with-parameters': { check: denyWithParameters, summary: 'parameter constraints on a deny block, which OpenBao ignores' },
  'list-parameter-constraint': { check: listParameterConstraint, summary: 'list- or map-valued parameter constraints, matched as a whole and bypassable' },
  'overbroad-grant': { check: overbroadGrant, summary: 'writes on *, sys/, identity/, policies, token roles; token creation without a role' },
  'per-user-policy': { check: perUserPolicy, summary: 'one ACL policy per user (user-* names and policy paths)' },
  'untemplated-user-path': { check: untemplatedUserPath, summary: 'per-user paths not keyed by {{identity.entity.id}}' },
  'template-unsafe-value': { check: templateUnsafeValue, summary: 'templates filled from names or metadata, which may hold "/", "*" or "+"' },
};

export function lintPolicy(doc: PolicyDocument): Finding[] {
  return Object.values(RULES)
    .flatMap((rule) => rule.check(doc))
    .sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule));
}

export async function lintPolicyText(file: string, text: string): Promise<Finding[]> {
  return lintPolicy(await parsePolicy(file, text));
}

/** A file that could not be linted at all: unreadable, unparsable or not a policy. */
export interface LintFailure {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

export interface LintResult {
  files: string[];
  findings: Finding[];
  failures: LintFailure[];
}

/** Lints each file independently, so one broken file does not hide the others' findings. */
export async function lintFiles(files: readonly string[]): Promise<LintResult> {
  const result: LintResult = { files: [...files], findings: [], failures: [] };
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      result.failures.push({ file, message: code === 'ENOENT' ? 'no such file' : `cannot read: ${(error as Error).message}` });
      continue;
    }
    try {
      result.findings.push(...(await lintPolicyText(file, text)));
    } catch (error) {
      if (!(error instanceof PolicyParseError)) throw error;
      result.failures.push({ file, line: error.line, column: error.column, message: error.reason });
    }
  }
  return result;
}

export function hasErrors(result: LintResult): boolean {
  return result.failures.length > 0 || result.findings.some((f) => f.severity === 'error');
}
