import { SessionExpiredError } from './errors.js';
import { isPermissionDenied, type OpenBaoHttp, type TokenLookup } from './openbao-http.js';
import { appendOperation, parseLog, toRecord, type OperationInput, type OperationLog } from './operation-log.js';

/** A user identity as issued by the broker or, in direct mode, by OpenBao itself. */
export interface IssuedIdentity {
  application: string;
  userIdentifier: string;
  entityId: string;
  entityAlias: string;
  userToken: string;
  tokenAccessor: string;
  policies: string[];
  expiresAt: Date;
  /** Uses the token had when issued (0 = unlimited). */
  numUses: number;
}

export interface DatabaseCredentials {
  username: string;
  password: string;
  leaseId: string;
  /** The lease ends then, or earlier when the user token is revoked or expires. */
  expiresAt: Date;
}

export interface UserSessionDeps {
  openbao: OpenBaoHttp;
  kvMount: string;
  databaseMount: string;
  now: () => Date;
}

/**
 * One end user's session: their entity and user token, and the calls made with that
 * token alone. The token is held in a private field: it is not enumerable, not in
 * JSON.stringify(session) and not in console.log(session).
 */
export class UserSession {
  readonly application: string;
  readonly userIdentifier: string;
  readonly entityId: string;
  readonly entityAlias: string;
  readonly tokenAccessor: string;
  readonly policies: readonly string[];
  readonly expiresAt: Date;
  readonly #token: string;
  readonly #deps: UserSessionDeps;
  #ended = false;

  constructor(identity: IssuedIdentity, deps: UserSessionDeps) {
    this.application = identity.application;
    this.userIdentifier = identity.userIdentifier;
    this.entityId = identity.entityId;
    this.entityAlias = identity.entityAlias;
    this.tokenAccessor = identity.tokenAccessor;
    this.policies = Object.freeze([...identity.policies]);
    this.expiresAt = identity.expiresAt;
    this.#token = identity.userToken;
    this.#deps = deps;
  }

  /** KV v2 path (under the mount) of this user's operation log; the user policy allows only its own. */
  get operationsPath(): string {
    return `${this.application}/users/${this.entityId}/operations`;
  }

  /** Fresh MySQL credentials from `database/creds/<app>-users`, read with the user's own token. */
  async getDatabaseCredentials(): Promise<DatabaseCredentials> {
    return this.guard(async (token) => {
      const creds = await this.#deps.openbao.readDatabaseCredentials(token, `${this.application}-users`, this.#deps.databaseMount);
      const expiresAt = new Date(Math.min(this.#deps.now().getTime() + creds.lease_duration * 1000, this.expiresAt.getTime()));
      return { username: creds.data.username, password: creds.data.password, leaseId: creds.lease_id, expiresAt };
    });
  }

  /** Appends to the user's operation log (last 10 + last_activity) with check-and-set. */
  async recordOperation(operation: OperationInput): Promise<OperationLog> {
    const record = toRecord(operation, this.#deps.now);
    return this.guard((token) =>
      appendOperation({
        read: () => this.#deps.openbao.kvRead(token, this.#deps.kvMount, this.operationsPath),
        write: (data, cas) => this.#deps.openbao.kvWrite(token, this.#deps.kvMount, this.operationsPath, data, cas),
      }, record),
    );
  }

  async readOperations(): Promise<OperationLog> {
    return this.guard(async (token) => parseLog(await this.#deps.openbao.kvRead(token, this.#deps.kvMount, this.operationsPath)));
  }

  /** The token as OpenBao sees it now (remaining TTL and uses). Spends one use. */
  async lookup(): Promise<TokenLookup> {
    return this.guard((token) => this.#deps.openbao.lookupSelf(token));
  }

  /**
   * Revokes the user token (revoke-self). OpenBao revokes the token's leases with it, so
   * the database users it was given are dropped too. Idempotent; a token that is already
   * gone counts as ended.
   */
  async end(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    try {
      await this.#deps.openbao.revokeSelf(this.#token);
    } catch (error) {
      if (!isPermissionDenied(error)) throw error;
    }
  }

  get ended(): boolean {
    return this.#ended;
  }

  toJSON(): Record<string, unknown> {
    return { application: this.application, userIdentifier: this.userIdentifier, entityId: this.entityId, expiresAt: this.expiresAt.toISOString() };
  }

  /**
   * Runs a call with the token and turns "the token is gone" into SessionExpiredError.
   * OpenBao answers a dead token and a denied path alike (403 permission denied), so on
   * a 403 the token itself is asked (lookup-self): if that fails too, the session is over.
   */
  private async guard<T>(call: (token: string) => Promise<T>): Promise<T> {
    if (this.#ended) throw new SessionExpiredError('ended', this.entityId);
    if (this.#deps.now().getTime() >= this.expiresAt.getTime()) throw new SessionExpiredError('expired', this.entityId);
    try {
      return await call(this.#token);
    } catch (error) {
      if (!isPermissionDenied(error)) throw error;
      const alive = await this.#deps.openbao.lookupSelf(this.#token).then(
        () => true,
        (probe: unknown) => !isPermissionDenied(probe),
      );
      if (!alive) throw new SessionExpiredError('invalid', this.entityId);
      throw error;
    }
  }
}
