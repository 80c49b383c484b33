import { APPLICATION_PATTERN, USER_IDENTIFIER_PATTERN } from '../contract/names.js';
import type { IdentityBrokerClient } from './broker-client.js';
import { OpenBaoHttp } from './openbao-http.js';
import { deriveUserIdentifier, type UserContext } from './user-identifier.js';
import { UserSession, type IssuedIdentity } from './user-session.js';

/**
 * Where user tokens come from. The broker is the default; in direct mode the
 * application's own OpenBao service token mints them (DirectTokenIssuer). Either way
 * the session that results is the same.
 */
export interface UserTokenIssuer {
  issue(request: { application: string; userIdentifier: string; ttl?: string }): Promise<IssuedIdentity>;
}

export interface SessionFactoryOptions {
  issuer: UserTokenIssuer;
  application: string;
  /** OpenBao address the user tokens are used against (the broker never proxies them). */
  openbaoAddr: string;
  /** KV v2 mount of per-user data (the broker config's openbao.kv_mount). */
  kvMount?: string;
  databaseMount?: string;
  /** User token TTL to ask for; the application's default when absent. */
  ttl?: string;
  timeoutMs?: number;
  /** Clock for expiry checks and the identifier's hour bucket. */
  now?: () => Date;
}

export interface InitializeOptions {
  /** Use this identifier instead of deriving one (a stable account id, already valid). */
  userIdentifier?: string;
  ttl?: string;
}

/**
 * Creates user sessions. `initializeUserSession(context)` derives the user identifier
 * from the context (deriveUserIdentifier), gets an identity and user token, and returns
 * the session. Call it again after a SessionExpiredError: within the same hour bucket
 * it yields the same entity, so the user's data carries over.
 */
export class SessionFactory {
  readonly application: string;
  readonly #options: SessionFactoryOptions;
  readonly #openbao: OpenBaoHttp;
  readonly #now: () => Date;

  constructor(options: SessionFactoryOptions) {
    if (!APPLICATION_PATTERN.test(options.application)) throw new TypeError(`application must match ${APPLICATION_PATTERN.source}`);
    this.application = options.application;
    this.#options = options;
    this.#openbao = new OpenBaoHttp({ addr: options.openbaoAddr, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
    this.#now = options.now ?? (() => new Date());
  }

  async initializeUserSession(context: UserContext, options: InitializeOptions = {}): Promise<UserSession> {
    const userIdentifier = options.userIdentifier ?? deriveUserIdentifier(context, { now: this.#now() });
    if (!USER_IDENTIFIER_PATTERN.test(userIdentifier)) throw new TypeError(`userIdentifier must match ${USER_IDENTIFIER_PATTERN.source}`);
    const ttl = options.ttl ?? this.#options.ttl;
    const identity = await this.#options.issuer.issue({ application: this.application, userIdentifier, ...(ttl ? { ttl } : {}) });
    return new UserSession(identity, {
      openbao: this.#openbao,
      kvMount: this.#options.kvMount ?? 'kv',
      databaseMount: this.#options.databaseMount ?? 'database',
      now: this.#now,
    });
  }
}

/** Broker mode: user tokens from POST /v1/entities. The user context is never sent. */
export class BrokerTokenIssuer implements UserTokenIssuer {
  constructor(private readonly broker: IdentityBrokerClient) {}

  async issue(request: { application: string; userIdentifier: string; ttl?: string }): Promise<IssuedIdentity> {
    const body = await this.broker.createEntity({
      application: request.application,
      user_identifier: request.userIdentifier,
      ...(request.ttl ? { ttl: request.ttl } : {}),
    });
    return {
      application: request.application,
      userIdentifier: request.userIdentifier,
      entityId: body.entity_id,
      entityAlias: body.entity_alias,
      userToken: body.user_token,
      tokenAccessor: body.token_accessor,
      policies: body.policies,
      expiresAt: new Date(body.expires_at),
      numUses: body.num_uses,
    };
  }
}

/** The usual setup: sessions whose user tokens come from the broker. */
export function createBrokerSessions(options: Omit<SessionFactoryOptions, 'issuer'> & { broker: IdentityBrokerClient }): SessionFactory {
  const { broker, ...rest } = options;
  return new SessionFactory({ ...rest, issuer: new BrokerTokenIssuer(broker) });
}
