import { chmodSync, createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { stringify } from 'yaml';
import { generateApiKey, hashApiKey } from '../broker/api-keys.js';
import { bootstrap } from '../bootstrap/bootstrap.js';
import { parseConfig, type ConfigInput } from '../config.js';
import { startBroker } from '../main.js';
import { VaultClient } from '../vault/index.js';
import { setUpDevDatabase } from './dev-database.js';
import { ensureBaoBinary } from './openbao-install.js';
import { startBaoDevServer } from './openbao-server.js';

/** The demo clients of `identity-broker dev` (DESIGN.md). */
export const DEV_CLIENTS = {
  // Generous limit so demos and benchmarks against `dev` are not throttled.
  'chatbot-app-dev': { applications: ['chatbot'], rate_limit_per_minute: 6000 },
  // The default limit (10/min), to show throttling.
  'analytics-app': { applications: ['analytics'] },
} as const;

export interface DevEnvironmentOptions {
  /** Broker port; 0 picks a free one. */
  port: number;
  /** Where config, AppRole files, logs and dev-credentials.json go (mode 0700). */
  stateDir: string;
  projectRoot?: string;
  logger: Logger;
  progress?: (line: string) => void;
  /** MySQL/MariaDB for the database engine; default: 127.0.0.1:3306 as root, when it answers. */
  mysqlUrl?: string | undefined;
}

export interface DevEnvironment {
  brokerUrl: string;
  baoAddr: string;
  baoPid: number;
  credentialsFile: string;
  stop(): Promise<void>;
}

export interface DevCredentials {
  broker_url: string;
  bao_addr: string;
  bao_root_token: string;
  admin_key: string;
  clients: Record<string, { api_key: string; applications: string[] }>;
  /** Present when the database engine is on: where the demo schemas are (no password). */
  database?: { host: string; port: number; schemas: Record<string, string> };
}

/**
 * Everything on the embedded default: OpenBao dev server from the project virtualenv,
 * bootstrapped with its root token exactly as an operator would, and the broker logged in
 * with its own AppRole (so the least-privilege self-check runs as in production).
 */
export async function startDevEnvironment(options: DevEnvironmentOptions): Promise<DevEnvironment> {
  const progress = options.progress ?? (() => {});
  const stateDir = resolve(options.stateDir);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  chmodSync(stateDir, 0o700);

  const binary = ensureBaoBinary({ root: options.projectRoot ?? process.cwd(), log: progress });
  const baoLog = createWriteStream(join(stateDir, 'openbao.log'), { flags: 'w', mode: 0o600 });
  const bao = await startBaoDevServer({ binary, onOutput: (line) => baoLog.write(`${line}\n`) });
  progress(`OpenBao dev server at ${bao.addr} (pid ${bao.pid})`);
  const stopBao = async () => {
    await bao.stop();
    baoLog.end();
  };
  // The root token is dev's own: bootstrap with it, and revoke database leases at stop.
  const admin = VaultClient.connect({ addr: bao.addr, token: bao.rootToken });

  try {
    const keys = {
      admin: generateApiKey('admin'),
      ...Object.fromEntries(Object.keys(DEV_CLIENTS).map((id) => [id, generateApiKey(id)])),
    } as Record<string, string>;
    const database = await setUpDevDatabase({ mysqlUrl: options.mysqlUrl, stateDir, applications: ['chatbot', 'analytics'], progress });
    const approleDir = join(stateDir, 'approle');
    const input: ConfigInput = {
      listen: { host: '127.0.0.1', port: options.port },
      openbao: {
        addr: bao.addr,
        auth: { method: 'approle', role_id: { file: join(approleDir, 'role-id') }, secret_id: { file: join(approleDir, 'secret-id') } },
      },
      applications: { chatbot: {}, analytics: {} },
      clients: Object.fromEntries(
        Object.entries(DEV_CLIENTS).map(([id, client]) => [id, { ...client, applications: [...client.applications], api_key_hash: hashApiKey(keys[id] as string) }]),
      ),
      admin: { api_key_hash: hashApiKey(keys['admin'] as string) },
      audit: { file: join(stateDir, 'audit.log') },
      ...(database ? { database: database.configSection } : {}),
    };
    const config = parseConfig(input, { source: 'dev config' });
    writeFileSync(join(stateDir, 'config.yaml'), `# Written by identity-broker dev; holds only key hashes.\n${stringify(input)}`, { mode: 0o600 });

    const result = await bootstrap(admin, config, { credentialsDir: approleDir });
    progress(`bootstrapped OpenBao: ${result.changes.length} changes`);

    const broker = await startBroker(config, { logger: options.logger });
    const credentials: DevCredentials = {
      broker_url: broker.url,
      bao_addr: bao.addr,
      bao_root_token: bao.rootToken,
      admin_key: keys['admin'] as string,
      clients: Object.fromEntries(
        Object.entries(DEV_CLIENTS).map(([id, client]) => [id, { api_key: keys[id] as string, applications: [...client.applications] }]),
      ),
      ...(database ? { database: { host: database.host, port: database.port, schemas: database.schemas } } : {}),
    };
    const credentialsFile = join(stateDir, 'dev-credentials.json');
    writeFileSync(credentialsFile, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
    chmodSync(credentialsFile, 0o600);

    return {
      brokerUrl: broker.url,
      baoAddr: bao.addr,
      baoPid: bao.pid,
      credentialsFile,
      async stop() {
        await broker.close();
        // A dev server forgets its leases when it stops: drop the database users first.
        if (database) await admin.sys.revokeLeasePrefix('database/creds/').catch(() => undefined);
        await admin.close();
        await stopBao();
        // Its root token and keys died with this OpenBao; leave nothing stale to copy.
        rmSync(credentialsFile, { force: true });
      },
    };
  } catch (error) {
    await admin.close();
    await stopBao();
    throw error;
  }
}
