import type { ClientConfig, Config } from '../config.js';
import { apiKeyMatches, clientIdOfKey, hashApiKey } from './api-keys.js';

export interface AuthenticatedClient {
  id: string;
  applications: ReadonlySet<string>;
  ratePerMinute: number;
}

/**
 * Bearer API key → client. The key names its client, so one constant-time hash compare
 * decides; an unknown client still costs a compare, so timing does not reveal which
 * client ids exist.
 */
export class ClientAuthenticator {
  private readonly clients: Map<string, { hash: string; client: AuthenticatedClient }>;
  private readonly decoy = hashApiKey('ibk.decoy.0000000000000000000000000000000000000000000');

  constructor(config: Pick<Config, 'clients' | 'rate_limit'>) {
    this.clients = new Map(
      Object.entries(config.clients).map(([id, c]: [string, ClientConfig]) => [
        id,
        {
          hash: c.api_key_hash,
          client: {
            id,
            applications: new Set(c.applications),
            ratePerMinute: c.rate_limit_per_minute ?? config.rate_limit.default_per_minute,
          },
        },
      ]),
    );
  }

  authenticate(authorization: string | undefined): AuthenticatedClient | undefined {
    const match = /^Bearer ([A-Za-z0-9._-]{1,200})$/.exec(authorization ?? '');
    const key = match?.[1];
    if (!key) return undefined;
    const claimed = clientIdOfKey(key);
    const entry = claimed === undefined ? undefined : this.clients.get(claimed);
    const ok = apiKeyMatches(key, entry?.hash ?? this.decoy);
    return ok && entry ? entry.client : undefined;
  }
}
