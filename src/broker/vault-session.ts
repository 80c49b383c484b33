import type { Logger } from 'pino';
import { readSecret, type OpenBaoAuthConfig } from '../config.js';
import type { VaultClient } from '../vault/index.js';

/**
 * The broker's own OpenBao login. Holds the current token in memory only, renews it at
 * two thirds of its TTL, and logs in again when renewal fails or the max TTL is near.
 * With a token file (OpenBao Agent sink) the agent renews; the file is re-read instead.
 */
export class VaultSession {
  private current: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly vault: VaultClient,
    private readonly auth: OpenBaoAuthConfig,
    private readonly logger?: Logger,
  ) {
    this.client = vault.withToken(this.token);
  }

  /** For VaultClient.withToken: always the freshest token. */
  readonly token = (): string | undefined => this.current;

  /** The client that acts as the broker; it reads the current token on every call. */
  readonly client: VaultClient;

  async login(): Promise<void> {
    if (this.auth.method === 'token_file') {
      this.current = readSecret(this.auth.token);
      const self = await this.client.token.lookupSelf();
      this.schedule(Math.min(60, Math.max(5, self.ttl / 3)));
      return;
    }
    const auth = await this.vault.approle.login(readSecret(this.auth.role_id), readSecret(this.auth.secret_id), this.auth.mount);
    this.current = auth.client_token;
    this.logger?.info({ ttl_seconds: auth.lease_duration, policies: auth.policies }, 'logged in to OpenBao with AppRole');
    if (auth.lease_duration > 0) this.schedule((auth.lease_duration * 2) / 3);
  }

  private schedule(seconds: number): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), Math.max(1, seconds) * 1000);
    this.timer.unref();
  }

  private async refresh(): Promise<void> {
    try {
      if (this.auth.method === 'token_file') return await this.login();
      const auth = await this.client.token.renewSelf();
      // Near the max TTL OpenBao grants less than asked for: log in afresh instead.
      if (auth.lease_duration < 300) return await this.login();
      this.schedule((auth.lease_duration * 2) / 3);
    } catch (error) {
      this.logger?.warn({ err: { message: (error as Error).message } }, 'renewing the broker token failed; logging in again');
      try {
        await this.login();
      } catch (loginError) {
        this.logger?.error({ err: { message: (loginError as Error).message } }, 'OpenBao login failed; retrying in 10s');
        this.schedule(10);
      }
    }
  }

  /** Stops renewal. The token is left to expire: revoking it would need no extra right, but
   * a replacement broker may still be draining with the same AppRole. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }
}
