import type { Logger } from 'pino';
import type { Config } from './config.js';
import { checkPrivileges, ExcessPrivilegeError, privilegesOk } from './broker/privileges.js';
import { createReadinessCheck } from './broker/readiness.js';
import { VaultSession } from './broker/vault-session.js';
import { createApp } from './http/app.js';
import { createLogger } from './observability/logger.js';
import { VaultClient } from './vault/index.js';

export interface RunningBroker {
  url: string;
  close(): Promise<void>;
}

export class MissingBrokerAuthError extends Error {
  override readonly name = 'MissingBrokerAuthError';
}

/**
 * Composition root, the only place that listens: log in to OpenBao as the broker, refuse
 * to start on excess privilege, then serve.
 */
export async function startBroker(config: Config, options: { logger?: Logger } = {}): Promise<RunningBroker> {
  const logger = options.logger ?? createLogger({ level: config.log.level });
  if (!config.openbao.auth) {
    throw new MissingBrokerAuthError('openbao.auth is required to serve: the broker logs in with its own AppRole or an agent token file');
  }
  const vault = VaultClient.connect({ addr: config.openbao.addr, timeoutMs: config.openbao.timeout_ms });
  const session = new VaultSession(vault, config.openbao.auth, logger);
  try {
    await session.login();
    const report = await checkPrivileges(session.client, config);
    if (!privilegesOk(report)) throw new ExcessPrivilegeError(report);
  } catch (error) {
    session.close();
    await vault.close();
    throw error;
  }
  const app = createApp({ logger, readiness: createReadinessCheck(session.client) });
  await app.listen({ host: config.listen.host, port: config.listen.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.listen.port;
  const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
  const url = `http://${host}:${port}`;
  logger.info({ url, openbao: config.openbao.addr }, 'identity-broker listening');
  return {
    url,
    async close() {
      // app.close() stops accepting and waits for in-flight requests to finish.
      await app.close();
      session.close();
      await vault.close();
    },
  };
}
