import type { Pool } from 'undici';
import type { BenchPath } from '../paths/index.js';
import { keepAlivePool } from './http.js';
import type { RunLifetime } from './lifecycle.js';
import { roundStats, runClosedLoop, type RoundStats } from './load.js';
import { cpuMeter } from './procfs.js';

export type Round = RoundStats & Record<string, number>;
/** rounds[path]["c16"] = every round of that path at concurrency 16, in run order. */
export type Rounds = Record<string, Record<string, Round[]>>;

export interface AlternatingOptions {
  paths: readonly { path: BenchPath; origin: string }[];
  concurrencies: readonly number[];
  rounds: number;
  /** Requests per round. */
  count: number;
  /** Untimed requests per path and concurrency first (JIT, keep-alive sockets). */
  warmup: number;
  /** Processes whose CPU is recorded per round (e.g. generator, broker, openbao). */
  pids: Record<string, number>;
  life: RunLifetime;
  /** Prefix of every user identifier, unique per call, so no phase reuses another's users. */
  phase: string;
}

/**
 * For each concurrency: warm every path up, then rounds in the order A B C A B C …, so
 * drift on a shared machine (other jobs, OpenBao's growing state) spreads over all paths
 * alike. Every request names a new user.
 */
export async function runAlternating(options: AlternatingOptions): Promise<{ rounds: Rounds; failures: number }> {
  const { life } = options;
  const rounds: Rounds = Object.fromEntries(options.paths.map(({ path }) => [path.name, {}]));
  let failures = 0;
  for (const c of options.concurrencies) {
    const pools = new Map<string, Pool>(options.paths.map(({ path, origin }) => [path.name, keepAlivePool(origin, c)]));
    const pool = (name: string) => pools.get(name) as Pool;
    try {
      for (const { path } of options.paths) {
        life.checkAborted();
        // At least one request per connection, so every keep-alive socket is open.
        const warm = await runClosedLoop({ concurrency: c, count: Math.max(options.warmup, c), send: (i) => path.send(pool(path.name), `${options.phase}-${path.name}-warm-c${c}-${i}`) });
        failures += warm.failures;
        if (warm.failures) life.progress(`${path.name} c${c} warm-up: ${warm.failures} failures, first: ${warm.firstFailure}`);
      }
      for (let r = 0; r < options.rounds; r++) {
        for (const { path } of options.paths) {
          life.checkAborted();
          const cpu = cpuMeter(options.pids);
          const sample = await runClosedLoop({ concurrency: c, count: options.count, send: (i) => path.send(pool(path.name), `${options.phase}-${path.name}-c${c}-r${r}-${i}`) });
          const usage = cpu.read();
          const stats: Round = { ...roundStats(sample, options.count), ...usage };
          // CPU per issuance of each process: what a request costs, whatever the concurrency.
          for (const name of Object.keys(options.pids)) {
            const pct = usage[`${name}_cpu_pct`] ?? -1;
            stats[`${name}_cpu_ms_per_req`] = pct < 0 ? -1 : Math.round(((pct / 100) * sample.wallMs * 1000) / options.count) / 1000;
          }
          (rounds[path.name] as Record<string, Round[]>)[`c${c}`] = [...((rounds[path.name] as Record<string, Round[]>)[`c${c}`] ?? []), stats];
          failures += stats.failures;
          life.progress(
            `${path.name.padEnd(6)} c${String(c).padEnd(2)} round ${r + 1}/${options.rounds}: p50 ${stats.p50_ms} ms, p99 ${stats.p99_ms} ms, ${stats.throughput_rps} req/s, cpu ` +
              Object.keys(options.pids).map((name) => `${name} ${usage[`${name}_cpu_pct`]}%`).join(' ') +
              (stats.failures ? `, ${stats.failures} FAILED (first: ${sample.firstFailure})` : ''),
          );
        }
      }
    } finally {
      await Promise.all([...pools.values()].map((p) => p.close()));
    }
  }
  return { rounds, failures };
}
