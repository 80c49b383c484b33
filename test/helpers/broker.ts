import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after } from 'node:test';
import { generateApiKey, hashApiKey } from '../../src/broker/api-keys.js';
import { bootstrap } from '../../src/bootstrap/bootstrap.js';
import { parseConfig, type Config, type ConfigInput } from '../../src/config.js';
import { startBroker } from '../../src/main.js';
import { createLogger } from '../../src/observability/logger.js';
import type { TestBao } from './bao.js';

export interface TestBroker {
  url: string;
  config: Config;
  /** API keys by client id. */
  keys: Record<string, string>;
  auditFile: string;
  /** Everything the broker logged so far. */
  logs(): string;
  /** The audit file once the broker's pending writes have landed. */
  audit(): Promise<string>;
  /** POST JSON to the broker with a client's key. */
  post(path: string, body: unknown, clientId?: string): Promise<Response>;
  close(): Promise<void>;
}

/** Clients of the test broker: their applications and per-minute limits. */
export const TEST_CLIENTS = {
  'chatbot-app': { applications: ['chatbot'], rate_limit_per_minute: 100_000 },
  'analytics-app': { applications: ['analytics'] },
  'both-app': { applications: ['chatbot', 'analytics'], rate_limit_per_minute: 100_000 },
} as const;

/**
 * Bootstraps the given OpenBao and starts a real broker in-process on a free port, logged
 * in with its own AppRole. Stopped after the test file.
 */
export async function startTestBroker(
  bao: TestBao,
  options: {
    clients?: Record<string, { applications: readonly string[]; rate_limit_per_minute?: number }>;
    /** Replaces the default applications (chatbot, analytics, billing). */
    applications?: ConfigInput['applications'];
    database?: ConfigInput['database'];
  } = {},
): Promise<TestBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'ib-broker-'));
  const clients = options.clients ?? TEST_CLIENTS;
  const keys = Object.fromEntries(Object.keys(clients).map((id) => [id, generateApiKey(id)]));
  const auditFile = join(dir, 'audit.log');
  const config = parseConfig(
    {
      listen: { host: '127.0.0.1', port: 0 },
      openbao: {
        addr: bao.addr,
        timeout_ms: 2000,
        auth: { method: 'approle', role_id: { file: join(dir, 'approle/role-id') }, secret_id: { file: join(dir, 'approle/secret-id') } },
      },
      applications: options.applications ?? { chatbot: {}, analytics: { max_ttl: '30m', default_ttl: '10m', num_uses: 50 }, billing: {} },
      ...(options.database ? { database: options.database } : {}),
      clients: Object.fromEntries(
        Object.entries(clients).map(([id, c]) => [id, { ...c, applications: [...c.applications], api_key_hash: hashApiKey(keys[id] as string) }]),
      ),
      audit: { file: auditFile },
      log: { level: 'debug' },
    },
    { source: 'test broker config' },
  );
  await bootstrap(bao.root, config, { credentialsDir: join(dir, 'approle') });
  let logText = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logText += chunk.toString();
      done();
    },
  });
  const broker = await startBroker(config, { logger: createLogger({ level: 'debug', destination: sink }) });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await broker.close();
  };
  after(close);
  return {
    url: broker.url,
    config,
    keys,
    auditFile,
    logs: () => logText,
    audit: () => settledRead(auditFile),
    post: (path, body, clientId) =>
      fetch(`${broker.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(clientId ? { authorization: `Bearer ${keys[clientId]}` } : {}) },
        body: JSON.stringify(body),
      }),
    close,
  };
}

/** Fails if any of the secrets appears in the broker's logs or audit file. */
export async function assertNoSecretsLeaked(broker: TestBroker, secrets: Iterable<string>): Promise<number> {
  const haystacks = { logs: broker.logs(), audit: await broker.audit() };
  let checked = 0;
  for (const secret of secrets) {
    checked++;
    for (const [name, text] of Object.entries(haystacks)) {
      if (text.includes(secret)) throw new Error(`a secret (${secret.slice(0, 6)}…) appears in the broker ${name}`);
    }
  }
  return checked;
}

/**
 * The audit log batches writes per event-loop turn and appends asynchronously: read until
 * the file stops changing, so a test sees every decision made before it asked.
 */
async function settledRead(file: string): Promise<string> {
  let previous = readFileSync(file, 'utf8');
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 20));
    const current = readFileSync(file, 'utf8');
    if (current === previous) return current;
    previous = current;
  }
  return previous;
}
