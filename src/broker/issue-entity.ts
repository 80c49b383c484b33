import type { Config } from '../config.js';
import { createEntityRequest, fieldProblems, type CreateEntityResponse, type FieldProblem } from '../contract/entities.js';
import { parseDurationSeconds } from '../contract/duration.js';
import type { ErrorCode } from '../contract/errors.js';
import type { AuditEvent, AuditLog, AuditOutcome } from '../observability/audit-log.js';
import { isVaultError } from '../vault/index.js';
import type { ClientAuthenticator } from './client-auth.js';
import type { AuthFailureThrottle, ClientRateLimiter } from './rate-limits.js';
import type { UserTokenIssuer } from './user-token-issuer.js';

export interface IssueEntityDeps {
  applications: Config['applications'];
  clients: ClientAuthenticator;
  authFailures: AuthFailureThrottle;
  rateLimiter: ClientRateLimiter;
  issuer: UserTokenIssuer;
  audit: AuditLog;
  /** Logs unexpected upstream failures for operators; never given a secret. */
  onUpstreamError?: (error: Error) => void;
  now?: () => number;
}

export interface IssueEntityInput {
  body: unknown;
  authorization: string | undefined;
  sourceAddress: string;
  requestId: string;
}

/** The denials this pipeline can return, and how each is recorded in the audit log. */
const AUDIT_OUTCOME = {
  invalid_request: 'invalid_request',
  unauthenticated: 'unauthenticated',
  client_mismatch: 'client_mismatch',
  application_not_authorized: 'application_not_authorized',
  rate_limited: 'rate_limited',
  upstream_unavailable: 'upstream_error',
} as const satisfies Partial<Record<ErrorCode, AuditOutcome>>;
type DenialCode = keyof typeof AUDIT_OUTCOME;
type DenialExtras = { message?: string; details?: FieldProblem[]; retryAfterSeconds?: number };

export type IssueEntityResult =
  | { kind: 'issued'; response: CreateEntityResponse }
  | ({ kind: 'denied'; code: DenialCode } & DenialExtras);

/** Seconds a client should wait when OpenBao is down: long enough not to pile on. */
const UPSTREAM_RETRY_AFTER = 5;

/**
 * POST /v1/entities as a pipeline that reads top to bottom:
 * validate → authenticate → check client_id → authorize → rate-limit → issue → audit.
 * Expected denials are returned as values; only unexpected failures throw.
 */
export async function issueEntity(deps: IssueEntityDeps, input: IssueEntityInput): Promise<IssueEntityResult> {
  const started = performance.now();
  const base = { request_id: input.requestId, source_address: input.sourceAddress };
  const deny = (code: DenialCode, event: Partial<AuditEvent>, extra: DenialExtras = {}): IssueEntityResult => {
    deps.audit.record({ ...base, ...event, outcome: AUDIT_OUTCOME[code], latency_ms: elapsed(started) });
    return { kind: 'denied', code, ...extra };
  };

  // 1. validate: shape and patterns, before anything is looked up.
  const parsed = createEntityRequest.safeParse(input.body);
  if (!parsed.success) {
    const details = fieldProblems(parsed.error);
    // Field names can be anything a caller sent: bound what reaches the audit log.
    const fields = details.map((d) => d.field.slice(0, 40)).slice(0, 8).join(', ');
    return deny('invalid_request', { reason: `invalid fields: ${fields}` }, { details });
  }
  const request = parsed.data;
  const who = { application: request.application, user_identifier: request.user_identifier };

  // 2. authenticate, unless this address has failed too often.
  const blocked = await deps.authFailures.blockedFor(input.sourceAddress);
  if (blocked !== undefined) return deny('rate_limited', { ...who, reason: 'too many failed authentications' }, { retryAfterSeconds: blocked });
  const client = deps.clients.authenticate(input.authorization);
  if (!client) {
    await deps.authFailures.recordFailure(input.sourceAddress);
    return deny('unauthenticated', { ...who, reason: input.authorization ? 'invalid api key' : 'missing api key' });
  }
  const withClient = { ...who, client_id: client.id };

  // 3. client_id in the body, if given, must be the authenticated client.
  if (request.client_id !== undefined && request.client_id !== client.id) {
    return deny('client_mismatch', { ...withClient, reason: `body client_id ${request.client_id}` });
  }

  // 4. authorize: the client may issue for this application, which must exist.
  const app = deps.applications[request.application];
  if (!app || !client.applications.has(request.application)) {
    return deny('application_not_authorized', withClient);
  }
  const ttl = request.ttl ?? app.default_ttl;
  if ((parseDurationSeconds(ttl) ?? 0) > (parseDurationSeconds(app.max_ttl) ?? 0)) {
    const details = [{ field: 'ttl', message: `must not exceed the application's max_ttl (${app.max_ttl})` }];
    return deny('invalid_request', { ...withClient, reason: 'ttl exceeds max_ttl' }, { details });
  }

  // 5. rate-limit per client.
  const rate = await deps.rateLimiter.consume(client.id, client.ratePerMinute);
  if (!rate.allowed) return deny('rate_limited', withClient, { retryAfterSeconds: rate.retryAfterSeconds });

  // 6. issue: one OpenBao call, no identity or policy writes.
  const entityAlias = `${request.application}:${request.user_identifier}`;
  let issued;
  try {
    issued = await deps.issuer.issue({
      application: request.application,
      entityAlias,
      ttl,
      meta: { application: request.application, client_id: client.id, user_identifier: request.user_identifier, created_by: 'identity-broker' },
    });
  } catch (error) {
    if (!isVaultError(error)) throw error;
    deps.onUpstreamError?.(error);
    return deny('upstream_unavailable', { ...withClient, reason: error.status ? `openbao ${error.status}` : 'openbao unreachable' }, { retryAfterSeconds: UPSTREAM_RETRY_AFTER });
  }

  // 7. audit (the accessor is HMAC'd by the audit log). No token leaves unaudited:
  // if the record cannot be written, the token is revoked and the request fails.
  try {
    deps.audit.record({ ...base, ...withClient, outcome: 'issued', entity_id: issued.entityId, token_accessor: issued.accessor, latency_ms: elapsed(started) });
  } catch (error) {
    await deps.issuer.revoke(issued.accessor).catch(() => undefined);
    throw error;
  }

  // 8. respond.
  const now = deps.now?.() ?? Date.now();
  return {
    kind: 'issued',
    response: {
      entity_id: issued.entityId,
      entity_alias: entityAlias,
      user_token: issued.token,
      token_accessor: issued.accessor,
      policies: issued.policies,
      ttl: issued.ttlSeconds,
      expires_at: new Date(now + issued.ttlSeconds * 1000).toISOString(),
      num_uses: issued.numUses,
      renewable: false,
    },
  };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
