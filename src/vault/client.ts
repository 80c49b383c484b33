import type { z } from 'zod';
import { AppRoleApi } from './approle.js';
import { DatabaseApi } from './database.js';
import { IdentityApi } from './identity.js';
import { KvApi } from './kv.js';
import { SysApi } from './sys.js';
import { TokenApi } from './token.js';
import { VaultTransport, type VaultRequest, type VaultTransportOptions } from './transport.js';

/** Where the client takes its token from on each call, so a renewed token is picked up. */
export type TokenSource = () => string | undefined;

export type VaultCall = {
  <S extends z.ZodType>(req: Omit<VaultRequest<S>, 'token'> & { notFoundIsUndefined: true }): Promise<
    z.output<S> | undefined
  >;
  <S extends z.ZodType>(req: Omit<VaultRequest<S>, 'token'>): Promise<z.output<S>>;
};

/**
 * Typed OpenBao client. One instance per token; `withToken` shares the keep-alive pool,
 * so a user-token client costs nothing to create.
 */
export class VaultClient {
  readonly sys: SysApi;
  readonly token: TokenApi;
  readonly approle: AppRoleApi;
  readonly identity: IdentityApi;
  readonly kv: KvApi;
  readonly database: DatabaseApi;

  constructor(
    readonly transport: VaultTransport,
    private readonly tokenSource: TokenSource = () => undefined,
  ) {
    const call = ((req: Omit<VaultRequest<z.ZodType>, 'token'>) =>
      transport.request({ ...req, token: tokenSource() })) as VaultCall;
    this.sys = new SysApi(call);
    this.token = new TokenApi(call);
    this.approle = new AppRoleApi(call);
    this.identity = new IdentityApi(call);
    this.kv = new KvApi(call);
    this.database = new DatabaseApi(call);
  }

  static connect(options: VaultTransportOptions & { token?: string | TokenSource }): VaultClient {
    return new VaultClient(new VaultTransport(options), toSource(options.token));
  }

  get addr(): string {
    return this.transport.addr;
  }

  withToken(token: string | TokenSource | undefined): VaultClient {
    return new VaultClient(this.transport, toSource(token));
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}

function toSource(token: string | TokenSource | undefined): TokenSource {
  if (typeof token === 'function') return token;
  return () => token;
}
