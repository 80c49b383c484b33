/**
 * A/B of the audit sink, to size what the audit log's per-turn fs.write costs the broker:
 * two broker processes on one OpenBao, identical but for `audit.file` — a file (the
 * default: one fs.write per event-loop turn, each a libuv thread-pool round trip) and "-"
 * (stdout, a pipe the bench drains: a synchronous write on the broker thread). Alternating
 * rounds at concurrency 16; CPU, system calls and context switches per request from /proc.
 *
 *   npx tsx bench/diagnostics/audit-sink.ts   # bench/results/diagnostic-audit-sink.json
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEnvironment } from '../lib/environment.js';
import { createRunLifetime } from '../lib/lifecycle.js';
import { median, round2 } from '../lib/load.js';
import { syscallCounters } from '../lib/procfs.js';
import { writeAtomically, summarisePaths } from '../lib/report.js';
import { runAlternating } from '../lib/rounds.js';
import { brokerPath } from '../paths/broker.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const life = createRunLifetime({ name: 'audit-sink', deadlineMs: 240_000 });

life.run(async () => {
  const env = await startEnvironment(life, { root: ROOT, runtime: 'dist' });
  const file = await env.startBroker({ label: 'audit-file' });
  const stdout = await env.startBroker({ label: 'audit-stdout', overrides: { audit: { file: '-' } } });
  const paths = [];
  for (const [broker, name] of [[file, 'audit-file'], [stdout, 'audit-stdout']] as const) {
    const path = brokerPath({ name });
    paths.push({ path, ...(await path.setup({ env, brokerUrl: broker.url })) });
  }
  const before = { file: syscallCounters(file.pid), stdout: syscallCounters(stdout.pid) };
  const { rounds, failures } = await runAlternating({
    paths,
    concurrencies: [16],
    rounds: 7,
    count: 500,
    warmup: 500,
    pids: { file: file.pid, stdout: stdout.pid, openbao: env.bao.pid },
    life,
    phase: 'audit-sink',
  });
  const after = { file: syscallCounters(file.pid), stdout: syscallCounters(stdout.pid) };
  // Every request of the run (warm-up included) went to one of the two brokers.
  const requests = 500 + 7 * 500;
  const perRequest = (k: 'file' | 'stdout') => ({
    write_syscalls: round2((after[k].syscw - before[k].syscw) / requests),
    voluntary_ctxt_switches: round2((after[k].voluntary_ctxt_switches - before[k].voluntary_ctxt_switches) / requests),
    nonvoluntary_ctxt_switches: round2((after[k].nonvoluntary_ctxt_switches - before[k].nonvoluntary_ctxt_switches) / requests),
  });
  const summary = summarisePaths(rounds);
  const result = {
    diagnostic: 'audit-sink',
    time: new Date().toISOString(),
    failures,
    'audit-file': {
      ...pick(summary['audit-file']?.['c16']),
      broker_cpu_ms_per_req: median((rounds['audit-file']?.['c16'] ?? []).map((r) => r['file_cpu_ms_per_req'] ?? -1)),
      ...perRequest('file'),
    },
    'audit-stdout': {
      ...pick(summary['audit-stdout']?.['c16']),
      broker_cpu_ms_per_req: median((rounds['audit-stdout']?.['c16'] ?? []).map((r) => r['stdout_cpu_ms_per_req'] ?? -1)),
      ...perRequest('stdout'),
    },
  };
  writeAtomically(join(ROOT, 'bench', 'results', 'diagnostic-audit-sink.json'), `${JSON.stringify(result, null, 2)}\n`);
  life.progress(JSON.stringify(result));
  return failures > 0 ? 1 : 0;
});

function pick(s: { p50_ms: number; p99_ms: number; throughput_rps: number } | undefined) {
  return s ? { p50_ms: s.p50_ms, p99_ms: s.p99_ms, throughput_rps: s.throughput_rps } : {};
}
