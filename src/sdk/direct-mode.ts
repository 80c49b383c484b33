import { isPermissionDenied, OpenBaoHttp, type AuthBlock } from './openbao-http.js';
import { SessionFactory, type SessionFactoryOptions, type UserTokenIssuer } from './sessions.js';
import type { IssuedIdentity } from './user-session.js';

/** How the application logs in to OpenBao itself. Each value may be a function, so a rotated file is re-read. */
export type ServiceLogin =
  | { method: 'approle'; roleId: string | (() => string); secretId: string | (() => string); mount?: string }
  /** Kubernetes service-account token or any JWT: OpenBao's kubernetes and jwt methods take {role, jwt}. */
  | { method: 'jwt'; role: string; jwt: string | (() => string); mount?: string }
  /** A token kept fresh by OpenBao Agent (auto-auth + file sink): pass a function reading the file. */
  | { method: 'token'; token: string | (() => string) };

export interface DirectTokenIssuerOptions {
  openbaoAddr: string;
  login: ServiceLogin;
  timeoutMs?: number;
  now?: () => Date;
}

/** Log in again this long before the service token expires. */
const RENEW_MARGIN_MS = 30_000;

/**
 * Direct (Kubernetes-style) mode, the seed's KubernetesChatbotApplication done safely:
 * the application's own service token may only `update auth/token/create/<app>-user`
 * (bootstrap's `<app>-service` policy), and the token role fixes the user policy, TTL,
 * uses and entity aliases. No broker in between, so no broker rate limits or audit log:
 * OpenBao's audit device is the record.
 */
export class DirectTokenIssuer implements UserTokenIssuer {
  readonly #openbao: OpenBaoHttp;
  readonly #login: ServiceLogin;
  readonly #now: () => Date;
  #service: { token: string; renewAt: number } | undefined;
  #loggingIn: Promise<string> | undefined;

  constructor(options: DirectTokenIssuerOptions) {
    this.#openbao = new OpenBaoHttp({ addr: options.openbaoAddr, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
    this.#login = options.login;
    this.#now = options.now ?? (() => new Date());
  }

  async issue(request: { application: string; userIdentifier: string; ttl?: string }): Promise<IssuedIdentity> {
    const body = {
      entity_alias: `${request.application}:${request.userIdentifier}`,
      meta: { application: request.application, user_identifier: request.userIdentifier, created_by: 'identity-broker-sdk-direct' },
      ...(request.ttl ? { ttl: request.ttl } : {}),
    };
    const role = `${request.application}-user`;
    let auth: AuthBlock;
    try {
      auth = await this.#openbao.createTokenWithRole(await this.serviceToken(), role, body);
    } catch (error) {
      // The service token may have been revoked or expired early: log in once more.
      if (!isPermissionDenied(error) || this.#login.method === 'token') throw error;
      this.#service = undefined;
      auth = await this.#openbao.createTokenWithRole(await this.serviceToken(), role, body);
    }
    return {
      application: request.application,
      userIdentifier: request.userIdentifier,
      entityId: auth.entity_id,
      entityAlias: body.entity_alias,
      userToken: auth.client_token,
      tokenAccessor: auth.accessor,
      policies: auth.policies,
      expiresAt: new Date(this.#now().getTime() + auth.lease_duration * 1000),
      numUses: auth.num_uses ?? 0,
    };
  }

  /** The current service token, logging in when there is none or it is about to expire. */
  private async serviceToken(): Promise<string> {
    const login = this.#login;
    if (login.method === 'token') return valueOf(login.token);
    if (this.#service && this.#now().getTime() < this.#service.renewAt) return this.#service.token;
    // Concurrent first requests share one login instead of each creating a token.
    this.#loggingIn ??= this.logIn(login).finally(() => (this.#loggingIn = undefined));
    return this.#loggingIn;
  }

  private async logIn(login: Exclude<ServiceLogin, { method: 'token' }>): Promise<string> {
    const auth =
      login.method === 'approle'
        ? await this.#openbao.login(login.mount ?? 'approle', { role_id: valueOf(login.roleId), secret_id: valueOf(login.secretId) })
        : await this.#openbao.login(login.mount ?? 'kubernetes', { role: login.role, jwt: valueOf(login.jwt) });
    const lifetime = auth.lease_duration > 0 ? auth.lease_duration * 1000 : Number.POSITIVE_INFINITY;
    this.#service = { token: auth.client_token, renewAt: this.#now().getTime() + Math.max(0, lifetime - RENEW_MARGIN_MS) };
    return auth.client_token;
  }
}

/** Direct mode behind the same session interface as broker mode. */
export function createDirectSessions(options: Omit<SessionFactoryOptions, 'issuer'> & { login: ServiceLogin }): SessionFactory {
  const { login, ...rest } = options;
  const issuer = new DirectTokenIssuer({
    openbaoAddr: options.openbaoAddr,
    login,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  return new SessionFactory({ ...rest, issuer });
}

function valueOf(value: string | (() => string)): string {
  return typeof value === 'function' ? value() : value;
}
