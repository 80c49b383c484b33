import { keyLine, type Finding, type PathBlock, type PolicyDocument, type Severity } from './model.js';
import { normalisePath } from './path-glob.js';

/**
 * Rules about how a policy is written: keys OpenBao rejects, blocks it merges, and
 * parameter constraints that do not do what they appear to. Each rule is a pure
 * function of the parsed document.
 */

type Emit = (line: number, message: string, fix: string, severity?: Severity) => void;
const emitter = (doc: PolicyDocument, rule: Finding['rule'], out: Finding[], severity: Severity = 'error'): Emit =>
  (line, message, fix, sev = severity) => out.push({ file: doc.file, line, rule, severity: sev, message, fix });

// From OpenBao's vault/policy.go parsePaths: anything else makes the policy write fail.
const BLOCK_KEYS = new Set([
  'comment', 'policy', 'capabilities', 'allowed_parameters', 'denied_parameters', 'required_parameters',
  'min_wrapping_ttl', 'max_wrapping_ttl', 'mfa_methods', 'pagination_limit', 'expiration',
  'list_scan_response_keys_filter_path', 'control_group',
]);
const CAPABILITIES = new Set(['create', 'read', 'update', 'patch', 'delete', 'list', 'scan', 'sudo', 'deny']);

export function invalidPolicy(doc: PolicyDocument): Finding[] {
  const out: Finding[] = [];
  const emit = emitter(doc, 'invalid-policy', out);
  for (const block of doc.blocks) {
    for (const key of block.keys.filter((k) => !BLOCK_KEYS.has(k.name))) {
      emit(key.line, `path "${block.path}": unknown key "${key.name}"; OpenBao refuses to store this policy`, `use only ${[...BLOCK_KEYS].join(', ')}`);
    }
    const raw = block.body['capabilities'];
    for (const cap of Array.isArray(raw) ? raw.map(String).filter((c) => !CAPABILITIES.has(c)) : []) {
      emit(keyLine(block, 'capabilities'), `path "${block.path}": unknown capability "${cap}"`, `use ${[...CAPABILITIES].join(', ')}`);
    }
    const old = block.body['policy'];
    if (old !== undefined && !['deny', 'read', 'write', 'sudo'].includes(String(old))) {
      emit(keyLine(block, 'policy'), `path "${block.path}": invalid policy "${String(old)}"`, 'use capabilities = [...] (the old policy = "…" takes deny, read, write or sudo)');
    }
    if (normalisePath(block.path).includes('+*')) {
      emit(block.line, `path "${block.path}": "+*" is forbidden by OpenBao`, 'use "+/*" for any sub-path of one segment, or "*" alone');
    }
    if (block.capabilities.length === 0) {
      emit(block.line, `path "${block.path}" has no capabilities and grants nothing`, 'add capabilities = [...] or delete the block', 'warning');
    }
  }
  return out;
}

/**
 * OpenBao folds every block of one path into one rule (vault/acl.go NewACL): an explicit
 * deny anywhere wins and drops the others' capabilities and parameter constraints;
 * otherwise capabilities are the union and parameter lists are merged per name.
 */
export function duplicatePath(doc: PolicyDocument): Finding[] {
  const out: Finding[] = [];
  const emit = emitter(doc, 'duplicate-path', out);
  const groups = new Map<string, PathBlock[]>();
  for (const block of doc.blocks) groups.set(normalisePath(block.path), [...(groups.get(normalisePath(block.path)) ?? []), block]);
  for (const [path, blocks] of groups) {
    if (blocks.length < 2) continue;
    const lines = blocks.map((b) => b.line).join(', ');
    const denying = blocks.filter((b) => b.capabilities.includes('deny'));
    let merged: string;
    if (denying.length > 0) {
      const lost = blocks.filter((b) => !b.capabilities.includes('deny')).map((b) => `[${b.capabilities.join(', ')}] on line ${b.line}`);
      const params = blocks.some((b) => b.allowed || b.denied || b.required) ? ' and every parameter constraint' : '';
      merged = `capabilities ["deny"]: deny wins and drops ${lost.length ? lost.join(' and ') : 'nothing else'}${params}`;
    } else {
      const union = [...new Set(blocks.flatMap((b) => b.capabilities))];
      const params = blocks.some((b) => b.allowed || b.denied)
        ? '; allowed/denied_parameters are merged per name ([] on either side allows any value)'
        : '';
      merged = `capabilities [${union.join(', ')}] (the union)${params}`;
    }
    for (const block of blocks.slice(1)) {
      emit(
        block.line,
        `path "${path}" is declared ${blocks.length} times (lines ${lines}); OpenBao merges them into ${merged}`,
        'write one block per path, with exactly the capabilities and parameters it should have',
      );
    }
  }
  return out;
}

/** OpenBao stops reading a block at `deny` (policy.go: goto PathFinished), so parameters there are ignored. */
export function denyWithParameters(doc: PolicyDocument): Finding[] {
  const out: Finding[] = [];
  const emit = emitter(doc, 'deny-with-parameters', out);
  for (const block of doc.blocks.filter((b) => b.capabilities.includes('deny'))) {
    for (const key of block.keys.filter((k) => /^(allowed|denied|required)_parameters$/.test(k.name))) {
      emit(
        key.line,
        `path "${block.path}": ${key.name} on a "deny" block has no effect; the path is denied whatever the parameters`,
        'to forbid only some values, grant the path and constrain it (better: a token role); to forbid the path, drop the parameters',
      );
    }
  }
  return out;
}

// Parameters OpenBao accepts as lists (or comma-separated strings) on token, role and identity endpoints.
const LIST_PARAMETERS = new Set([
  'policies', 'token_policies', 'identity_policies', 'allowed_policies', 'disallowed_policies',
  'allowed_policies_glob', 'disallowed_policies_glob', 'allowed_entity_aliases', 'bound_cidrs',
  'token_bound_cidrs', 'secret_id_bound_cidrs', 'member_entity_ids', 'member_group_ids', 'entity_ids',
  'group_ids', 'allowed_roles', 'allowed_domains', 'metadata',
]);

/**
 * openbao/openbao#2277: a list-valued request parameter is compared as one value with each
 * listed value, so `["root", "x"]` (or "root,x") is not `"root"`. A constraint on such a
 * parameter decides nothing about the values inside the list.
 */
export function listParameterConstraint(doc: PolicyDocument): Finding[] {
  const out: Finding[] = [];
  const emit = emitter(doc, 'list-parameter-constraint', out);
  for (const block of doc.blocks) {
    for (const [kind, constraints] of [['allowed_parameters', block.allowed], ['denied_parameters', block.denied]] as const) {
      for (const c of constraints ?? []) {
        const values = Array.isArray(c.values) ? c.values : [c.values];
        if (values.length === 0) continue;
        const structured = !Array.isArray(c.values) || values.some((v) => typeof v === 'object' && v !== null);
        if (!structured && !LIST_PARAMETERS.has(c.name.toLowerCase())) continue;
        const shown = JSON.stringify(c.values);
        const denied = kind === 'denied_parameters';
        const first = typeof values[0] === 'string' ? values[0] : 'v';
        const why = structured
          ? `"${c.name}" = ${shown} is compared with the request's value as one whole`
          : `"${c.name}" = ${shown} constrains a list-valued parameter, which OpenBao compares as a whole (openbao/openbao#2277)`;
        const effect = structured
          ? denied ? 'any value with another key or another value is not denied' : 'it is no per-key rule and no security boundary'
          : denied ? `["${first}", "x"] or "${first},x" is not denied` : 'a request may omit it or shape it otherwise; it is no security boundary';
        const fix = structured
          ? 'constrain scalar values only, or let a token role or the broker make the decision'
          : denied
            ? `deny the parameter outright with "${c.name}" = [], or issue tokens through a token role (auth/token/create/<role>)`
            : `use a token role (its allowed_policies is a subset check OpenBao enforces), or "${c.name}" = [] if any value is fine`;
        emit(c.line, `path "${block.path}": ${kind} ${why}; ${effect}`, fix);
      }
    }
  }
  return out;
}
