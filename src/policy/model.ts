/** The linter's view of an OpenBao ACL policy: path blocks as written, with their lines. */

export type Severity = 'error' | 'warning';

export type RuleId =
  | 'invalid-policy'
  | 'duplicate-path'
  | 'deny-with-parameters'
  | 'list-parameter-constraint'
  | 'overbroad-grant'
  | 'per-user-policy'
  | 'untemplated-user-path'
  | 'template-unsafe-value';

export interface Finding {
  file: string;
  line: number;
  rule: RuleId;
  severity: Severity;
  message: string;
  /** One line: what to write instead. */
  fix: string;
}

/** One entry of allowed_parameters / denied_parameters: a parameter name and its value list. */
export interface ParameterConstraint {
  name: string;
  values: unknown;
  line: number;
}

export interface PathBlock {
  /** The path exactly as written, templates and globs included. */
  path: string;
  /** Line of the `path "…"` header (HCL) or of the path's key (JSON). */
  line: number;
  /** Capabilities as OpenBao reads them: old-style `policy = "write"` is expanded. */
  capabilities: string[];
  /** Every key of the block with its line, for unknown-key checks and precise findings. */
  keys: { name: string; line: number }[];
  allowed?: ParameterConstraint[];
  denied?: ParameterConstraint[];
  required?: string[];
  /** Everything else in the block, as parsed. */
  body: Record<string, unknown>;
}

export interface PolicyDocument {
  file: string;
  /** The policy's name: a top-level `name`, else the file name without its extension. */
  name: string;
  /** Line that carries the name (1 when it comes from the file name). */
  nameLine: number;
  format: 'hcl' | 'json';
  blocks: PathBlock[];
}

/** Input that is not a policy or not parsable; carries where, so the CLI can say file:line:col. */
export class PolicyParseError extends Error {
  override readonly name = 'PolicyParseError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}:${column}: ${reason}`);
  }
}

/** The key's line inside a block, or the block's own line when the key is absent. */
export function keyLine(block: PathBlock, key: string): number {
  return block.keys.find((k) => k.name === key)?.line ?? block.line;
}

export const WRITE_CAPABILITIES: readonly string[] = ['create', 'update', 'delete', 'patch', 'sudo'];

export function grants(block: PathBlock): boolean {
  return !block.capabilities.includes('deny') && block.capabilities.length > 0;
}
