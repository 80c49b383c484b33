import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey, hashApiKey } from '../../src/broker/api-keys.js';
import { bootstrap } from '../../src/bootstrap/bootstrap.js';
import { parseConfig } from '../../src/config.js';
import { ensureBaoBinary } from '../../src/embedded/openbao-install.js';
import { startBaoDevServer } from '../../src/embedded/openbao-server.js';
import { VaultClient } from '../../src/vault/index.js';
import { compileBroker, startBrokerChild, writeBrokerConfig, type BrokerChild, type BrokerEntry, type BrokerRuntime } from './broker-process.js';
import type { RunLifetime } from './lifecycle.js';

export const APP = 'chatbot';
export const CLIENT = 'bench-client';
/** The application's default_ttl: what the broker asks OpenBao for, and what seed and floor ask too. */
export const TTL = '1h';
const REQUEST_TIMEOUT_MS = 10_000;

export interface BrokerStartOptions {
  nodeArgs?: string[];
  label?: string;
  /** Top-level config sections replaced for this broker (e.g. an A/B of the audit sink). */
  overrides?: Record<string, unknown>;
  onLine?: (line: string) => void;
}

/** What every path may use: one fresh OpenBao, bootstrapped as an operator would. */
export interface BenchEnv {
  root: string;
  workDir: string;
  bao: { addr: string; rootToken: string; pid: number; version: string };
  /** Admin client (root token): setup and object counts only, never timed. */
  admin: VaultClient;
  /** The broker's own AppRole login, for the floor (same rights as the broker). */
  brokerToken: string;
  apiKey: string;
  /** Accessor of the token auth mount (entity aliases for token roles live there). */
  tokenMountAccessor: string;
  /** Starts a broker child process (`serve`) against this OpenBao; stopped with the run. */
  startBroker(options?: BrokerStartOptions): Promise<BrokerChild>;
}

export async function startEnvironment(life: RunLifetime, options: { root: string; runtime: BrokerRuntime; entry?: BrokerEntry }): Promise<BenchEnv> {
  const { progress } = life;
  const workDir = mkdtempSync(join(tmpdir(), 'ib-bench-'));
  life.onCleanup(() => rmSync(workDir, { recursive: true, force: true }));

  const binary = ensureBaoBinary({ root: options.root, log: progress });
  const bao = await startBaoDevServer({ binary });
  life.onCleanup(() => bao.stop());
  progress(`OpenBao dev server at ${bao.addr} (pid ${bao.pid})`);

  const apiKey = generateApiKey(CLIENT);
  const approleDir = join(workDir, 'approle');
  const configInput = {
    listen: { host: '127.0.0.1', port: 0 },
    openbao: {
      addr: bao.addr,
      timeout_ms: REQUEST_TIMEOUT_MS,
      auth: { method: 'approle', role_id: { file: join(approleDir, 'role-id') }, secret_id: { file: join(approleDir, 'secret-id') } },
    },
    applications: { [APP]: {} },
    // The schema's ceiling: the limiter runs on every request but never denies one here.
    clients: { [CLIENT]: { applications: [APP], rate_limit_per_minute: 1_000_000, api_key_hash: hashApiKey(apiKey) } },
    log: { level: 'info' },
  };
  const admin = VaultClient.connect({ addr: bao.addr, token: bao.rootToken, timeoutMs: REQUEST_TIMEOUT_MS });
  life.onCleanup(() => admin.close());
  await bootstrap(admin, parseConfig(configInput, { source: 'bench config' }), { credentialsDir: approleDir });
  const version = (await admin.sys.health()).version;
  const tokenMountAccessor = (await admin.sys.listAuth())['token/']?.accessor;
  if (!tokenMountAccessor) throw new Error('the token auth mount has no accessor');

  const login = VaultClient.connect({ addr: bao.addr });
  const read = (name: string) => readFileSync(join(approleDir, name), 'utf8').trim();
  const brokerToken = (await login.approle.login(read('role-id'), read('secret-id'))).client_token;
  await login.close();

  let distDir: string | undefined;
  let started = 0;
  const startBroker = async (opts: BrokerStartOptions = {}): Promise<BrokerChild> => {
    if (options.runtime === 'dist' && !distDir) {
      progress('compiling src/ for the broker child (tsc)');
      distDir = compileBroker(options.root, workDir, progress);
    }
    const n = ++started;
    // The same config an operator would write, with its own audit file per broker process.
    const file = writeBrokerConfig(join(workDir, `broker-${n}.yaml`), { ...configInput, audit: { file: join(workDir, `audit-${n}.log`) }, ...opts.overrides });
    const child = await startBrokerChild({
      root: options.root,
      runtime: options.runtime,
      ...(distDir ? { distDir } : {}),
      ...(options.entry ? { entry: options.entry } : {}),
      configFile: file,
      ...(opts.nodeArgs ? { nodeArgs: opts.nodeArgs } : {}),
      onExitUnexpectedly: (why) => progress(`broker ${opts.label ?? n}: ${why}`),
      ...(opts.onLine ? { onLine: opts.onLine } : {}),
    });
    life.onCleanup(async () => void (await child.stop()));
    progress(`broker ${opts.label ?? n} (${options.runtime}${options.entry === 'serve-only' ? ', serve-only entry' : ''}) at ${child.url} (pid ${child.pid}, RSS ${child.rssMb()} MB)`);
    return child;
  };

  return { root: options.root, workDir, bao: { addr: bao.addr, rootToken: bao.rootToken, pid: bao.pid, version }, admin, brokerToken, apiKey, tokenMountAccessor, startBroker };
}
