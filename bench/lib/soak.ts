import type { BenchEnv } from './environment.js';
import { keepAlivePool } from './http.js';
import type { RunLifetime } from './lifecycle.js';
import { linearSlope, round2, roundStats, runClosedLoop } from './load.js';
import { brokerPath } from '../paths/broker.js';
import { collectGarbage, inspectorUrl } from './inspector.js';

/** Issuances between the two forced GCs of the leak check. */
const LEAK_CHECK = 2000;

export interface SoakRound {
  round: number;
  /** V8 heap after the last full (mark-compact) GC so far, MB (from --trace-gc; -1 before the first). */
  heap_after_last_full_gc_mb: number;
  full_gcs_so_far: number;
  /** V8 heap used and committed at the last GC of the round (from --trace-gc), MB. */
  heap_used_mb: number;
  heap_committed_mb: number;
  issued_total: number;
  /** VmRSS of the broker right after the round. */
  rss_mb: number;
  /** VmHWM (peak resident so far). */
  peak_rss_mb: number;
  throughput_rps: number;
  p99_ms: number;
  failures: number;
}

export interface SoakResult {
  issuances: number;
  rounds: number;
  per_round: number;
  concurrency: number;
  rss_at_start_mb: number;
  peak_rss_mb: number;
  series: SoakRound[];
  /** Least-squares slope of per-round RSS over issuances, MB per 1,000 issuances. */
  slope_mb_per_1000: number;
  /** The same over the second half of the rounds, after heap growth has settled. */
  slope_mb_per_1000_second_half: number;
  /** Every full GC the broker ran: V8 heap before and after, MB; after-sizes that climb mean a leak. */
  full_gcs: { at_issued: number; before_mb: number; after_mb: number }[];
  scavenges: number;
  /**
   * Live V8 heap: after the broker's own last full GC before the first issuance (--trace-gc),
   * and after a full GC forced through the inspector once the last round is done.
   */
  live_heap_at_start_mb: number;
  live_heap_at_end_mb: number;
  rss_after_forced_gc_at_end_mb: number;
  /** Live heap after a forced full GC before and after LEAK_CHECK more issuances (outside the series). */
  leak_check: { issuances: number; live_heap_before_mb: number; live_heap_after_mb: number; growth_kb_per_1000: number };
  failures: number;
}

/**
 * Many issuances through a fresh broker process in equal rounds, its RSS read from /proc
 * after each: memory that grows with issuances (a cache or map keyed by user, an
 * unbounded queue) shows as a positive slope.
 */
export async function runSoak(env: BenchEnv, life: RunLifetime, options: { rounds: number; perRound: number; concurrency: number }): Promise<SoakResult> {
  // --trace-gc prints one line per GC: the heap left after each full GC is the live set.
  const fullGcs: SoakResult['full_gcs'] = [];
  let scavenges = 0;
  let issued = 0;
  let lastHeap = { used: -1, committed: -1 };
  let wsUrl: string | undefined;
  const onLine = (line: string) => {
    wsUrl ??= inspectorUrl(line);
    const m = /(Scavenge|Mark-Compact|Mark-sweep|Minor Mark-Sweep)[^\d]*([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(([\d.]+)\) MB/.exec(line);
    if (!m) return;
    lastHeap = { used: Number(m[4]), committed: Number(m[5]) };
    if (m[1] === 'Scavenge' || m[1] === 'Minor Mark-Sweep') scavenges++;
    else fullGcs.push({ at_issued: issued, before_mb: Number(m[2]), after_mb: Number(m[4]) });
  };
  // The inspector (loopback, random port) only serves the forced GC that measures the live set at the end.
  const broker = await env.startBroker({ label: 'soak', nodeArgs: ['--trace-gc', '--inspect=127.0.0.1:0'], onLine });
  const path = brokerPath();
  const { origin } = await path.setup({ env, brokerUrl: broker.url });
  const pool = keepAlivePool(origin, options.concurrency);
  const series: SoakRound[] = [];
  const rssAtStart = broker.rssMb();
  if (!wsUrl) throw new Error('the soak broker printed no inspector URL');
  // Not forced at the start: a forced GC resets V8's heuristics and would change the series.
  const liveAtStart = fullGcs.at(-1)?.after_mb ?? -1;
  let failures = 0;
  let peak: number;
  let liveAtEnd: { used_mb: number };
  let liveAfterCheck: { used_mb: number };
  let rssAfterGc: number;
  try {
    for (let round = 1; round <= options.rounds; round++) {
      life.checkAborted();
      const sample = await runClosedLoop({
        concurrency: options.concurrency,
        count: options.perRound,
        send: async (i) => {
          await path.send(pool, `soak-r${round}-${i}`);
          issued++;
        },
      });
      const stats = roundStats(sample, options.perRound);
      failures += sample.failures;
      const entry: SoakRound = {
        round,
        issued_total: round * options.perRound,
        heap_after_last_full_gc_mb: fullGcs.at(-1)?.after_mb ?? -1,
        full_gcs_so_far: fullGcs.length,
        heap_used_mb: lastHeap.used,
        heap_committed_mb: lastHeap.committed,
        rss_mb: broker.rssMb(),
        peak_rss_mb: broker.peakRssMb(),
        throughput_rps: stats.throughput_rps,
        p99_ms: stats.p99_ms,
        failures: sample.failures,
      };
      series.push(entry);
      life.progress(
        `soak round ${round}/${options.rounds}: ${entry.issued_total} issued, rss ${entry.rss_mb} MB (peak ${entry.peak_rss_mb}), ` +
          `heap after last full GC ${entry.heap_after_last_full_gc_mb} MB (${entry.full_gcs_so_far} full GCs), ${entry.throughput_rps} req/s` +
          (sample.failures ? `, ${sample.failures} FAILED (first: ${sample.firstFailure})` : ''),
      );
    }
    peak = broker.peakRssMb();
    liveAtEnd = await collectGarbage(wsUrl);
    rssAfterGc = broker.rssMb();
    // Leak check: live heap after forced full GCs on both sides of LEAK_CHECK more issuances.
    life.checkAborted();
    const check = await runClosedLoop({ concurrency: options.concurrency, count: LEAK_CHECK, send: (i) => path.send(pool, `soak-check-${i}`) });
    failures += check.failures;
    liveAfterCheck = await collectGarbage(wsUrl);
  } finally {
    await pool.close();
  }
  const growthKbPer1000 = round2(((liveAfterCheck.used_mb - liveAtEnd.used_mb) * 1024 * 1000) / LEAK_CHECK);
  life.progress(`soak leak check: live heap ${liveAtEnd.used_mb} MB → ${liveAfterCheck.used_mb} MB over ${LEAK_CHECK} more issuances (${growthKbPer1000} KB per 1,000)`);
  life.progress(`soak: V8 heap after the last full GC before any issuance ${liveAtStart} MB; after a forced full GC at the end ${liveAtEnd.used_mb} MB; RSS then ${rssAfterGc} MB`);
  await broker.stop();
  const slope = (rounds: SoakRound[]) => round2(linearSlope(rounds.map((r) => r.issued_total / 1000), rounds.map((r) => r.rss_mb)));
  return {
    issuances: options.rounds * options.perRound,
    rounds: options.rounds,
    per_round: options.perRound,
    concurrency: options.concurrency,
    rss_at_start_mb: rssAtStart,
    peak_rss_mb: peak,
    series,
    slope_mb_per_1000: slope(series),
    slope_mb_per_1000_second_half: slope(series.slice(Math.floor(series.length / 2))),
    full_gcs: fullGcs,
    scavenges,
    live_heap_at_start_mb: liveAtStart,
    live_heap_at_end_mb: liveAtEnd.used_mb,
    rss_after_forced_gc_at_end_mb: rssAfterGc,
    leak_check: { issuances: LEAK_CHECK, live_heap_before_mb: liveAtEnd.used_mb, live_heap_after_mb: liveAfterCheck.used_mb, growth_kb_per_1000: growthKbPer1000 },
    failures,
  };
}
