import { grants, WRITE_CAPABILITIES, type Finding, type PolicyDocument, type Severity } from './model.js';
import { coversEverything, normalisePath, pathCovers, templatesIn } from './path-glob.js';

/** Rules about what a policy grants: too much, or to one user at a time. */

interface BroadGrant {
  covers: (path: string) => boolean;
  /** Capabilities that make the grant dangerous on these paths. */
  capabilities: readonly string[];
  severity: Severity;
  what: string;
  fix: string;
}

/** A path is in an area when its glob covers one of the probes, or it lies under one of the prefixes. */
const area =
  (probes: string[], prefixes: string[] = []) =>
  (path: string) =>
    probes.some((p) => pathCovers(path, p)) || prefixes.some((prefix) => normalisePath(path).startsWith(prefix));
const SYS_AREAS = ['mounts', 'auth', 'audit', 'raw', 'seal', 'unseal', 'rotate', 'rekey', 'plugins', 'generate-root', 'config', 'storage', 'namespaces', 'quotas', 'leases/revoke-prefix', 'leases/revoke-force'];
const ANY = ['create', 'read', 'update', 'patch', 'delete', 'list', 'scan', 'sudo'];

// First match wins, most general first, so `path "*"` is reported once, as everything.
const BROAD_GRANTS: readonly BroadGrant[] = [
  { covers: coversEverything, capabilities: ANY, severity: 'error', what: 'on every path in OpenBao', fix: 'grant only the paths the holder needs, one block each' },
  {
    covers: area(['sys/policies/acl/x', 'sys/policy/x'], ['sys/policies/', 'sys/policy/']),
    capabilities: WRITE_CAPABILITIES,
    severity: 'error',
    what: 'on ACL policies: the holder can write a policy that grants anything',
    fix: 'leave policy writes to the operator running bootstrap; no running service needs them',
  },
  {
    covers: area(['sys/x', ...SYS_AREAS.map((a) => `sys/${a}/x`)], SYS_AREAS.map((a) => `sys/${a}`)),
    capabilities: WRITE_CAPABILITIES,
    severity: 'error',
    what: 'on sys/: mounts, auth methods, audit devices and the seal reconfigure OpenBao itself',
    fix: 'grant only the single sys/ path a service needs, if any; the built-in default policy covers token self-service',
  },
  {
    covers: (path) => normalisePath(path).startsWith('identity/') || pathCovers(path, 'identity/entity/id/x'),
    capabilities: WRITE_CAPABILITIES,
    severity: 'error',
    what: "on identity/: entities, aliases and groups carry policies, so a writer (even of its own entity) can give itself any policy",
    fix: 'let a token role create entities (entity_alias on auth/token/create/<role>); keep user data in the user\'s own KV path',
  },
  {
    covers: area(['auth/token/roles/x'], ['auth/token/roles/']),
    capabilities: WRITE_CAPABILITIES,
    severity: 'error',
    what: "on token roles: rewriting a role changes which policies its tokens may carry",
    fix: 'roles are written by bootstrap with an admin token; a service needs only update on auth/token/create/<role>',
  },
  {
    covers: area(['auth/token/create', 'auth/token/create-orphan']),
    capabilities: ['create', 'update', 'sudo'],
    severity: 'error',
    what: "on token creation without a role: the caller picks the policies (any, with sudo), TTL, uses and renewability",
    fix: 'grant update on auth/token/create/<role> of a token role with allowed_policies, orphan, TTL and num_uses',
  },
  {
    covers: area(['auth/token/create/x']),
    capabilities: ['create', 'update'],
    severity: 'warning',
    what: 'on every token role, including roles added later',
    fix: 'name each role: path "auth/token/create/<role>"',
  },
];

export function overbroadGrant(doc: PolicyDocument): Finding[] {
  const denied = new Set(doc.blocks.filter((b) => b.capabilities.includes('deny')).map((b) => normalisePath(b.path)));
  const out: Finding[] = [];
  for (const block of doc.blocks.filter(grants)) {
    for (const rule of BROAD_GRANTS) {
      const risky = block.capabilities.filter((c) => rule.capabilities.includes(c));
      if (risky.length === 0 || !rule.covers(block.path)) continue;
      // Judged as written: a deny block on the same path hides it only until someone tidies up.
      const hidden = denied.has(normalisePath(block.path)) ? ' (a deny block on the same path cancels it today; see duplicate-path)' : '';
      out.push({
        file: doc.file,
        line: block.line,
        rule: 'overbroad-grant',
        severity: rule.severity,
        message: `path "${block.path}" grants [${risky.join(', ')}] ${rule.what}${hidden}`,
        fix: rule.fix,
      });
      break;
    }
  }
  return out;
}

const USER_NAME = /^user[-_]/i;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const POLICY_OR_ROLE = /^(sys\/polic(y|ies)\/|auth\/token\/roles\/)/;

/** The seed's pattern: one ACL policy per end user, named `user-<id>-<app>`. */
export function perUserPolicy(doc: PolicyDocument): Finding[] {
  const out: Finding[] = [];
  const fix = 'write one policy per application and key its paths by {{identity.entity.id}}';
  if (USER_NAME.test(doc.name) || UUID.test(doc.name)) {
    out.push({
      file: doc.file,
      line: doc.nameLine,
      rule: 'per-user-policy',
      severity: 'error',
      message: `policy "${doc.name}" is named for one user: one policy per user grows without bound and needs policy-write rights to mint`,
      fix,
    });
  }
  for (const block of doc.blocks.filter(grants)) {
    const path = normalisePath(block.path);
    const last = path.split('/').at(-1) ?? '';
    if (POLICY_OR_ROLE.test(path) && USER_NAME.test(last)) {
      out.push({
        file: doc.file,
        line: block.line,
        rule: 'per-user-policy',
        severity: 'error',
        message: `path "${block.path}" manages per-user policies or roles ("${last}"): the one-policy-per-user pattern`,
        fix,
      });
    }
  }
  return out;
}

/** A path that belongs to one user must be keyed by the token's own entity, never by a literal. */
export function untemplatedUserPath(doc: PolicyDocument): Finding[] {
  const out: Finding[] = [];
  for (const block of doc.blocks.filter(grants)) {
    const path = normalisePath(block.path);
    if (POLICY_OR_ROLE.test(path)) continue; // policy and role names are per-user-policy's concern
    const problem = userSegmentProblem(path.split('/'));
    if (!problem) continue;
    out.push({
      file: doc.file,
      line: block.line,
      rule: 'untemplated-user-path',
      severity: 'error',
      message: `path "${block.path}" ${problem}`,
      fix: 'key the user\'s part of the path by {{identity.entity.id}}, which OpenBao fills in from the token\'s own entity',
    });
  }
  return out;
}

function userSegmentProblem(segments: string[]): string | undefined {
  const isTemplate = (s: string | undefined) => s !== undefined && s.includes('{{');
  const isGlob = (s: string | undefined) => s === '+' || s === '*';
  for (const [i, seg] of segments.entries()) {
    if (isTemplate(seg)) continue;
    const id = UUID.exec(seg)?.[0];
    if (id) return `hard-codes the id ${id}: the policy fits one user, so there must be one per user`;
    const next = segments[i + 1];
    const rest = USER_NAME.test(seg) ? seg.replace(USER_NAME, '') : undefined;
    if ((seg === 'users' || seg === 'user') && next !== undefined && !isTemplate(next)) {
      return isGlob(next) ? "covers every user's data: each user can reach every other user's" : `names one user ("${next}"): the policy fits one user`;
    }
    if (rest !== undefined && !isTemplate(rest)) {
      return isGlob(rest) ? "covers every user's data: each user can reach every other user's" : `names one user ("${seg}"): the policy fits one user`;
    }
  }
  return undefined;
}

/**
 * OpenBao 2.6+ refuses to render a path whose identity value contains "*" or "+"
 * (allow_wildcards_in_identity_templates), and then skips the block; older versions let
 * the value widen the path (GHSA-59w7-v8rr-pr4p). Only ids and accessors are safe.
 */
export function templateUnsafeValue(doc: PolicyDocument): Finding[] {
  const out: Finding[] = [];
  for (const block of doc.blocks) {
    for (const template of templatesIn(block.path)) {
      // A metadata key may itself be called "id", so metadata is judged before the id suffix.
      const metadata = /\.(custom_)?metadata\./.test(template);
      if (!template.startsWith('identity.') || (!metadata && /\.(id|mount_accessor)$/.test(template))) continue;
      const source = metadata ? 'metadata, which whoever can write the entity or alias controls' : 'a name set by an auth method or operator';
      const effect = block.capabilities.includes('deny') ? 'this deny is silently dropped' : 'the grant is silently dropped';
      out.push({
        file: doc.file,
        line: block.line,
        rule: 'template-unsafe-value',
        severity: metadata ? 'error' : 'warning',
        message:
          `{{${template}}} in path "${block.path}" is filled from ${source}, and may contain "/", "*" or "+": ` +
          `OpenBao 2.6+ rejects such a value and ${effect}; older versions let it widen the path`,
        fix: 'key the path by {{identity.entity.id}} (a UUID) instead of a name or metadata',
      });
    }
  }
  return out;
}
