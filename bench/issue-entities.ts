/**
 * Issuing identities: the broker's POST /v1/entities against the floor, the one OpenBao call
 * behind it (auth/token/create/<app>-user with entity_alias) made directly with the broker's
 * own AppRole token. Starts a fresh OpenBao dev server, bootstraps it, runs the broker
 * in-process, prints one JSON document to stdout and writes it to bench/results/.
 *
 *   npx tsx bench/issue-entities.ts [--quick]
 */
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { generateApiKey, hashApiKey } from '../src/broker/api-keys.js';
import { bootstrap } from '../src/bootstrap/bootstrap.js';
import { parseConfig } from '../src/config.js';
import { ensureBaoBinary } from '../src/embedded/openbao-install.js';
import { startBaoDevServer } from '../src/embedded/openbao-server.js';
import { startBroker } from '../src/main.js';
import { createLogger } from '../src/observability/logger.js';
import { VaultClient } from '../src/vault/index.js';
import { median, round2, roundStats, runClosedLoop, type RoundStats } from './lib/load.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.argv.includes('--quick');
const N = QUICK ? 100 : 300;
const ROUNDS = QUICK ? 3 : 5;
const CONCURRENCIES = [1, 16, 64] as const;
// JIT and keep-alive warm-up per path and concurrency; short warm-ups made c1 look slow.
const WARMUP = QUICK ? 200 : 500;
/** The whole run stops itself (and OpenBao) past this, exit 1. */
const DEADLINE_MS = QUICK ? 115_000 : 580_000;
const REQUEST_TIMEOUT_MS = 10_000;
const APP = 'chatbot';
const CLIENT = 'bench-client';
const TTL = '1h'; // the application's default_ttl: what the broker asks OpenBao for

type PathName = 'broker' | 'floor';
const PATHS: readonly PathName[] = ['broker', 'floor'];

const progress = (line: string) => process.stderr.write(`[bench:entities] ${line}\n`);
const discard = new Writable({ write: (_chunk, _encoding, done) => done() });

const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) await step().catch((error: Error) => progress(`cleanup: ${error.message}`));
  })();
  return cleaning;
}
let aborted = false;
const abort = (why: string) => {
  aborted = true;
  progress(`${why}: stopping`);
  void cleanup().finally(() => process.exit(1));
};
const watchdog = setTimeout(() => abort(`deadline of ${DEADLINE_MS / 1000}s passed`), DEADLINE_MS);
process.once('SIGINT', () => abort('SIGINT'));
process.once('SIGTERM', () => abort('SIGTERM'));

async function main(): Promise<number> {
  // Other work on the machine skews results: recorded so a noisy run can be recognised.
  const loadAvgAtStart = round2(loadavg()[0] ?? 0);
  const dir = mkdtempSync(join(tmpdir(), 'ib-bench-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));

  const binary = ensureBaoBinary({ root: ROOT, log: progress });
  const bao = await startBaoDevServer({ binary });
  cleanups.push(() => bao.stop());
  progress(`OpenBao dev server at ${bao.addr} (pid ${bao.pid})`);
  const rss = sampleRss(bao.pid);
  cleanups.push(async () => void rss.stop());

  const apiKey = generateApiKey(CLIENT);
  const approleDir = join(dir, 'approle');
  const config = parseConfig(
    {
      listen: { host: '127.0.0.1', port: 0 },
      openbao: {
        addr: bao.addr,
        timeout_ms: REQUEST_TIMEOUT_MS,
        auth: { method: 'approle', role_id: { file: join(approleDir, 'role-id') }, secret_id: { file: join(approleDir, 'secret-id') } },
      },
      applications: { [APP]: {} },
      // The schema's ceiling: the limiter runs on every request but never denies one here.
      clients: { [CLIENT]: { applications: [APP], rate_limit_per_minute: 1_000_000, api_key_hash: hashApiKey(apiKey) } },
      audit: { file: join(dir, 'audit.log') },
      log: { level: 'silent' },
    },
    { source: 'bench config' },
  );
  const admin = VaultClient.connect({ addr: bao.addr, token: bao.rootToken });
  let openbaoVersion: string;
  try {
    await bootstrap(admin, config, { credentialsDir: approleDir });
    openbaoVersion = (await admin.sys.health()).version;
  } finally {
    await admin.close();
  }

  const broker = await startBroker(config, { logger: createLogger({ level: 'silent', destination: discard }) });
  cleanups.push(() => broker.close());
  progress(`broker in-process at ${broker.url}`);

  // The floor acts as the broker would: same AppRole, its own login, no admin token.
  const login = VaultClient.connect({ addr: bao.addr });
  const brokerToken = (
    await login.approle.login(readFileSync(join(approleDir, 'role-id'), 'utf8').trim(), readFileSync(join(approleDir, 'secret-id'), 'utf8').trim())
  ).client_token;
  await login.close();

  const senders = (pools: Record<PathName, Pool>): Record<PathName, (id: string) => Promise<void>> => ({
    broker: (id) => postJson(pools.broker, '/v1/entities', { authorization: `Bearer ${apiKey}` }, { application: APP, user_identifier: id }, 201, 'entity_id'),
    floor: (id) =>
      postJson(
        pools.floor,
        `/v1/auth/token/create/${APP}-user`,
        { 'x-vault-token': brokerToken },
        { entity_alias: `${APP}:${id}`, ttl: TTL, meta: { application: APP, client_id: CLIENT, user_identifier: id, created_by: 'identity-broker' } },
        200,
        'auth',
      ),
  });

  type Round = RoundStats & ReturnType<ReturnType<typeof cpuMeter>['read']>;
  const rounds: Record<PathName, Record<string, Round[]>> = { broker: {}, floor: {} };
  let failures = 0;
  for (const c of CONCURRENCIES) {
    const pools: Record<PathName, Pool> = {
      broker: keepAlivePool(broker.url, c),
      floor: keepAlivePool(bao.addr, c),
    };
    const send = senders(pools);
    try {
      for (const path of PATHS) {
        // Enough warm-up requests to open every keep-alive connection of the pool.
        const warm = await runClosedLoop({ concurrency: c, count: Math.max(WARMUP, c), send: (i) => send[path](`bench-${path}-warm-c${c}-${i}`) });
        failures += warm.failures;
        if (warm.failures) progress(`${path} c${c} warm-up: ${warm.failures} failures, first: ${warm.firstFailure}`);
      }
      for (let r = 0; r < ROUNDS; r++) {
        for (const path of PATHS) {
          if (aborted) throw new Error('aborted');
          const cpu = cpuMeter(bao.pid);
          const sample = await runClosedLoop({ concurrency: c, count: N, send: (i) => send[path](`bench-${path}-c${c}-r${r}-${i}`) });
          const stats = { ...roundStats(sample, N), ...cpu.read() };
          (rounds[path][`c${c}`] ??= []).push(stats);
          failures += stats.failures;
          progress(
            `${path.padEnd(6)} c${String(c).padEnd(2)} round ${r + 1}/${ROUNDS}: p50 ${stats.p50_ms} ms, p99 ${stats.p99_ms} ms, ` +
              `${stats.throughput_rps} req/s, cpu node ${stats.node_cpu_pct}% bao ${stats.openbao_cpu_pct}%${stats.failures ? `, ${stats.failures} FAILED (first: ${sample.firstFailure})` : ''}`,
          );
        }
      }
    } finally {
      await Promise.all([pools.broker.close(), pools.floor.close()]);
    }
  }

  const paths = Object.fromEntries(
    PATHS.map((path) => [
      path,
      Object.fromEntries(
        Object.entries(rounds[path]).map(([key, list]) => [
          key,
          {
            p50_ms: round2(median(list.map((s) => s.p50_ms))),
            p99_ms: round2(median(list.map((s) => s.p99_ms))),
            throughput_rps: round2(median(list.map((s) => s.throughput_rps))),
            rounds: list,
          },
        ]),
      ),
    ]),
  ) as Record<PathName, Record<string, { p50_ms: number; p99_ms: number; throughput_rps: number; rounds: Round[] }>>;
  const ratio = (key: string, field: 'throughput_rps' | 'p99_ms') =>
    Math.round(((paths.broker[key]?.[field] ?? NaN) / (paths.floor[key]?.[field] ?? NaN)) * 1000) / 1000;
  const ratios: Record<string, number> = {};
  for (const c of CONCURRENCIES) {
    ratios[`broker_over_floor_throughput_c${c}`] = ratio(`c${c}`, 'throughput_rps');
    ratios[`broker_p99_over_floor_p99_c${c}`] = ratio(`c${c}`, 'p99_ms');
  }

  const peaks = rss.stop();
  const result = {
    benchmark: 'issue-entities',
    mode: QUICK ? 'quick' : 'full',
    time: new Date().toISOString(),
    machine: { cpus: cpus().length, loadavg_1m_at_start: loadAvgAtStart, cpu_model: cpus()[0]?.model ?? 'unknown', node: process.version, openbao_version: openbaoVersion },
    n: N,
    rounds: ROUNDS,
    concurrencies: [...CONCURRENCIES],
    paths,
    ratios,
    failures,
    peak_rss_mb: peaks.selfMb,
    openbao_peak_rss_mb: peaks.baoMb,
    notes: [
      'broker and load generator share one Node process (peak_rss_mb covers both; the generator also takes CPU from the broker path)',
      'floor = POST auth/token/create/chatbot-user with entity_alias, ttl and meta, sent to OpenBao directly with the broker AppRole token',
      'medians are medians of per-round values; throughput = N / round wall time; every request names a new user_identifier',
    ],
  };
  const json = JSON.stringify(result, null, 2);
  process.stdout.write(`${json}\n`);
  const out = join(ROOT, 'bench', 'results', 'latest-issue-entities.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(`${out}.tmp`, `${json}\n`);
  renameSync(`${out}.tmp`, out);
  progress(`wrote ${out}`);
  if (failures > 0) progress(`${failures} requests failed`);
  return failures > 0 ? 1 : 0;
}

function keepAlivePool(origin: string, connections: number): Pool {
  return new Pool(origin, { connections, keepAliveTimeout: 30_000, connectTimeout: REQUEST_TIMEOUT_MS });
}

/** One JSON POST; throws unless the status matches and the body holds `field`. */
async function postJson(pool: Pool, path: string, headers: Record<string, string>, body: unknown, status: number, field: string): Promise<void> {
  const res = await pool.request({
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
  const answer = (await res.body.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (res.statusCode !== status || !answer || !(field in answer) || !answer[field]) {
    // Error bodies carry codes and messages, never a token.
    const reason = JSON.stringify((answer as { error?: unknown; errors?: unknown } | undefined)?.error ?? answer?.['errors'] ?? '').slice(0, 200);
    throw new Error(`POST ${path} answered ${res.statusCode} ${reason}`);
  }
}

/**
 * CPU used during a round, in % of one core: this process (broker + load generator) and
 * the OpenBao child (from /proc, so Linux only; -1 elsewhere). Shows which side saturates.
 */
function cpuMeter(baoPid: number): { read(): { node_cpu_pct: number; openbao_cpu_pct: number } } {
  const wallStart = performance.now();
  const nodeStart = process.cpuUsage();
  const baoStart = baoCpuMs(baoPid);
  return {
    read() {
      const wall = performance.now() - wallStart;
      const node = process.cpuUsage(nodeStart);
      const baoEnd = baoCpuMs(baoPid);
      return {
        node_cpu_pct: Math.round(((node.user + node.system) / 1000 / wall) * 100),
        openbao_cpu_pct: baoStart < 0 || baoEnd < 0 ? -1 : Math.round(((baoEnd - baoStart) / wall) * 100),
      };
    },
  };
}

/** utime + stime of a process in ms; /proc/<pid>/stat counts in clock ticks (USER_HZ, 100 on Linux). */
function baoCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return -1;
  }
}

/** Peak resident set of this process (broker + load generator) and of the OpenBao child. */
function sampleRss(baoPid: number): { stop(): { selfMb: number; baoMb: number } } {
  let self = 0;
  let bao = 0;
  const sample = () => {
    self = Math.max(self, process.memoryUsage.rss());
    try {
      const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${baoPid}/status`, 'utf8'))?.[1];
      if (kb) bao = Math.max(bao, Number(kb) * 1024);
    } catch {
      // Not Linux, or OpenBao already stopped.
    }
  };
  sample();
  const timer = setInterval(sample, 100);
  timer.unref();
  const mb = (bytes: number) => round2(bytes / 1024 / 1024);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { selfMb: mb(self), baoMb: mb(bao) };
    },
  };
}

main()
  .then(
    (code) => cleanup().then(() => code),
    (error: Error) => {
      progress(`failed: ${error.stack ?? error.message}`);
      return cleanup().then(() => 1);
    },
  )
  .then((code) => {
    clearTimeout(watchdog);
    // Exit explicitly: a keep-alive socket left behind must not keep the run alive.
    process.exit(code);
  });
