import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { readSecret, type Config } from './config.js';
import { ClientAuthenticator } from './broker/client-auth.js';
import type { IssueEntityDeps } from './broker/issue-entity.js';
import { checkPrivileges, ExcessPrivilegeError, privilegesOk } from './broker/privileges.js';
import { AuthFailureThrottle, ClientRateLimiter } from './broker/rate-limits.js';
import { createReadinessCheck } from './broker/readiness.js';
import { OpenBaoUserTokenIssuer } from './broker/user-token-issuer.js';
import { VaultSession } from './broker/vault-session.js';
import { createApp } from './http/app.js';
import { createFileAuditLog, type AuditLog } from './observability/audit-log.js';
import { createLogger } from './observability/logger.js';
import { VaultClient } from './vault/index.js';

export interface RunningBroker {
  url: string;
  close(): Promise<void>;
}

export class MissingBrokerAuthError extends Error {
  override readonly name = 'MissingBrokerAuthError';
}

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/**
 * Composition root, the only place that listens: log in to OpenBao as the broker, refuse
 * to start on excess privilege, then serve. close() drains in-flight requests first.
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
  const audit = openAuditLog(config);
  const app = createApp({
    logger,
    version,
    trustProxy: [...config.listen.trust_proxy],
    readiness: createReadinessCheck(session.client),
    entities: entityDeps(config, session, audit, logger),
  });
  const closeAll = async () => {
    // app.close() stops accepting and waits for in-flight requests to finish.
    await app.close();
    await audit.close();
    session.close();
    await vault.close();
  };
  try {
    await app.listen({ host: config.listen.host, port: config.listen.port });
  } catch (error) {
    await closeAll();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.listen.port;
  const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
  const url = `http://${host}:${port}`;
  logger.info({ url, openbao: config.openbao.addr }, 'identity-broker listening');
  return { url, close: closeAll };
}

export function entityDeps(config: Config, session: VaultSession, audit: AuditLog, logger: Logger): IssueEntityDeps {
  return {
    applications: config.applications,
    clients: new ClientAuthenticator(config),
    authFailures: new AuthFailureThrottle(),
    rateLimiter: new ClientRateLimiter(),
    issuer: new OpenBaoUserTokenIssuer(session),
    audit,
    onUpstreamError: (error) => logger.warn({ err: { message: error.message } }, 'OpenBao call failed'),
  };
}

function openAuditLog(config: Config): AuditLog {
  // Without a configured key, accessor HMACs are comparable only within one process run.
  const hmacKey = config.audit.hmac_key ? readSecret(config.audit.hmac_key) : randomBytes(32);
  return createFileAuditLog({ file: config.audit.file, hmacKey });
}
