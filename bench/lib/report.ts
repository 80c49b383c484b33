import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { median, round2 } from './load.js';
import type { ObjectGrowth } from './objects.js';
import type { Round, Rounds } from './rounds.js';
import type { SoakResult } from './soak.js';

export interface PathSummary {
  p50_ms: number;
  p99_ms: number;
  throughput_rps: number;
  /** Medians of per-round CPU per request, ms (-1: not measurable here). */
  cpu_ms_per_req: Record<string, number>;
  rounds: Round[];
}

/** paths[name]["c16"]: medians over the rounds of per-round p50, p99 and throughput. */
export function summarisePaths(rounds: Rounds): Record<string, Record<string, PathSummary>> {
  return Object.fromEntries(
    Object.entries(rounds).map(([path, byConcurrency]) => [
      path,
      Object.fromEntries(
        Object.entries(byConcurrency).map(([key, list]) => {
          const cpuKeys = Object.keys(list[0] ?? {}).filter((k) => k.endsWith('_cpu_ms_per_req'));
          return [
            key,
            {
              p50_ms: round2(median(list.map((s) => s.p50_ms))),
              p99_ms: round2(median(list.map((s) => s.p99_ms))),
              throughput_rps: round2(median(list.map((s) => s.throughput_rps))),
              cpu_ms_per_req: Object.fromEntries(cpuKeys.map((k) => [k.replace('_cpu_ms_per_req', ''), Math.round(median(list.map((s) => s[k] ?? -1)) * 1000) / 1000])),
              rounds: list,
            },
          ];
        }),
      ),
    ]),
  );
}

export type Ratios = {
  broker_over_floor_throughput: number;
  broker_over_seed_throughput: number;
  broker_p99_over_floor_p99: number;
  at_concurrency: number;
  by_concurrency: Record<string, { broker_over_floor_throughput: number; broker_over_seed_throughput: number; broker_p99_over_floor_p99: number }>;
};

export function computeRatios(paths: Record<string, Record<string, PathSummary>>, concurrencies: readonly number[], at = 16): Ratios {
  const ratio = (a: number | undefined, b: number | undefined) => Math.round(((a ?? Number.NaN) / (b ?? Number.NaN)) * 1000) / 1000;
  const at1 = (c: number) => {
    const key = `c${c}`;
    return {
      broker_over_floor_throughput: ratio(paths['broker']?.[key]?.throughput_rps, paths['floor']?.[key]?.throughput_rps),
      broker_over_seed_throughput: ratio(paths['broker']?.[key]?.throughput_rps, paths['seed']?.[key]?.throughput_rps),
      broker_p99_over_floor_p99: ratio(paths['broker']?.[key]?.p99_ms, paths['floor']?.[key]?.p99_ms),
    };
  };
  return { ...at1(at), at_concurrency: at, by_concurrency: Object.fromEntries(concurrencies.map((c) => [`c${c}`, at1(c)])) };
}

/** Live-heap growth per 1,000 issuances below this is noise, not a leak (0.1 KB per issuance). */
const LEAK_KB_PER_1000 = 100;

export interface Target {
  target: string;
  value: string;
  met: boolean | null;
}

export function evaluateTargets(input: {
  ratios: Ratios;
  splitRatios?: Ratios | undefined;
  objects: Record<string, ObjectGrowth>;
  brokerPeakRssMb: number;
  soak: SoakResult | undefined;
  flatSlopeMbPer1000: number;
}): Target[] {
  const { ratios, objects, soak, splitRatios } = input;
  const alsoSplit = (key: 'broker_over_floor_throughput' | 'broker_over_seed_throughput' | 'broker_p99_over_floor_p99') =>
    splitRatios ? ` (split placement: ${splitRatios[key]}×)` : '';
  const brokerPolicies = objects['broker']?.policies ?? Number.NaN;
  const seedPolicies = objects['seed']?.policies ?? Number.NaN;
  return [
    { target: 'broker throughput ≥ 0.8× floor at concurrency 16', value: `${ratios.broker_over_floor_throughput}×${alsoSplit('broker_over_floor_throughput')}`, met: ratios.broker_over_floor_throughput >= 0.8 },
    { target: 'broker p99 ≤ 1.5× floor p99 at concurrency 16', value: `${ratios.broker_p99_over_floor_p99}×${alsoSplit('broker_p99_over_floor_p99')}`, met: ratios.broker_p99_over_floor_p99 <= 1.5 },
    { target: 'broker throughput ≥ 2× seed at concurrency 16', value: `${ratios.broker_over_seed_throughput}×${alsoSplit('broker_over_seed_throughput')}`, met: ratios.broker_over_seed_throughput >= 2 },
    { target: '0 ACL policies per 1,000 users (seed: 1,000)', value: `broker ${brokerPolicies}, seed ${seedPolicies}`, met: brokerPolicies === 0 },
    soak
      ? {
          target: 'broker peak RSS ≤ 150 MB after 10,000 issuances',
          value: `${soak.peak_rss_mb} MB after ${soak.issuances}`,
          met: soak.issuances >= 10_000 ? soak.peak_rss_mb <= 150 : null,
        }
      : { target: 'broker peak RSS ≤ 150 MB after 10,000 issuances', value: `${input.brokerPeakRssMb} MB in the main run (no soak in this run)`, met: null },
    soak
      ? {
          target: `no upward RSS trend across soak rounds (2nd-half slope < ${input.flatSlopeMbPer1000} MB per 1,000)`,
          value: `${soak.slope_mb_per_1000_second_half} MB/1,000 (all rounds: ${soak.slope_mb_per_1000})`,
          met: soak.slope_mb_per_1000_second_half < input.flatSlopeMbPer1000,
        }
      : { target: 'no upward RSS trend across soak rounds', value: 'no soak in this run', met: null },
    ...(soak
      ? [
          {
            // Not an issue target: tells a leak from garbage V8 has not collected yet.
            target: `(supplementary) no leak: live heap after forced full GCs grows < ${LEAK_KB_PER_1000} KB per 1,000 issuances`,
            value: `${soak.leak_check.growth_kb_per_1000} KB per 1,000 (${soak.leak_check.live_heap_before_mb} → ${soak.leak_check.live_heap_after_mb} MB over ${soak.leak_check.issuances})`,
            met: soak.leak_check.growth_kb_per_1000 < LEAK_KB_PER_1000,
          },
        ]
      : []),
  ];
}

/** Writes via a temporary file, so a reader never sees half a result. */
export function writeAtomically(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

const cell = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? 'n/a' : String(v));
const mark = (met: boolean | null) => (met === null ? 'not measured' : met ? 'met' : '**not met**');

export function markdownReport(result: {
  mode: string;
  time: string;
  machine: Record<string, unknown>;
  concurrencies: readonly number[];
  rounds: number;
  count: number;
  paths: Record<string, Record<string, PathSummary>>;
  ratios: Ratios;
  objects_per_1000_users: Record<string, ObjectGrowth>;
  broker_peak_rss_mb: number;
  targets: Target[];
  soak?: SoakResult | undefined;
  split?: { paths: Record<string, Record<string, PathSummary>>; ratios: Ratios; rounds: number; count: number } | undefined;
}): string {
  const lines: string[] = [];
  lines.push(`# Benchmark: issuing isolated identities (${result.mode}, ${result.time})`, '');
  lines.push(
    `Machine: ${result.machine['cpus']} × ${result.machine['cpu_model']}, load average ${result.machine['loadavg_1m_at_start']} at start, Node ${result.machine['node']}, OpenBao ${result.machine['openbao_version']}. ` +
      `Medians of ${result.rounds} alternating rounds of ${result.count} requests per path and concurrency.`,
    '',
  );
  lines.push('| path | concurrency | p50 ms | p99 ms | issuances/s | broker CPU ms/req | OpenBao CPU ms/req |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const c of result.concurrencies) {
    for (const [name, byC] of Object.entries(result.paths)) {
      const s = byC[`c${c}`];
      if (!s) continue;
      const brokerCpu = s.cpu_ms_per_req['broker'];
      lines.push(`| ${name} | ${c} | ${cell(s.p50_ms)} | ${cell(s.p99_ms)} | ${cell(s.throughput_rps)} | ${name === 'broker' ? cell(brokerCpu) : '–'} | ${cell(s.cpu_ms_per_req['openbao'])} |`);
    }
  }
  lines.push('', '| ratio | c1 | c16 | c64 |', '|---|---:|---:|---:|');
  for (const key of ['broker_over_floor_throughput', 'broker_p99_over_floor_p99', 'broker_over_seed_throughput'] as const) {
    lines.push(`| ${key} | ${result.concurrencies.map((c) => cell(result.ratios.by_concurrency[`c${c}`]?.[key])).join(' | ')} |`);
  }
  if (result.split) {
    const split = result.split;
    lines.push('', `Split placement (OpenBao alone on CPU 0, broker and load generator on CPU 1), medians of ${split.rounds} rounds of ${split.count}:`, '');
    lines.push('| path | concurrency | p50 ms | p99 ms | issuances/s |', '|---|---:|---:|---:|---:|');
    for (const c of result.concurrencies) {
      for (const [name, byC] of Object.entries(split.paths)) {
        const s = byC[`c${c}`];
        if (s) lines.push(`| ${name} | ${c} | ${cell(s.p50_ms)} | ${cell(s.p99_ms)} | ${cell(s.throughput_rps)} |`);
      }
    }
    lines.push('', '| ratio (split) | c1 | c16 | c64 |', '|---|---:|---:|---:|');
    for (const key of ['broker_over_floor_throughput', 'broker_p99_over_floor_p99', 'broker_over_seed_throughput'] as const) {
      lines.push(`| ${key} | ${result.concurrencies.map((c) => cell(split.ratios.by_concurrency[`c${c}`]?.[key])).join(' | ')} |`);
    }
  }
  lines.push('', '| OpenBao objects per 1,000 users | ACL policies | entities | entity aliases |', '|---|---:|---:|---:|');
  for (const [name, o] of Object.entries(result.objects_per_1000_users)) lines.push(`| ${name} | ${cell(o.policies)} | ${cell(o.entities)} | ${cell(o.aliases)} |`);
  lines.push('', `Broker peak RSS: ${result.broker_peak_rss_mb} MB.`);
  if (result.soak) {
    const s = result.soak;
    lines.push(
      '',
      `Soak: ${s.issuances} issuances in ${s.rounds} rounds of ${s.per_round} at concurrency ${s.concurrency}; RSS at start ${s.rss_at_start_mb} MB, peak ${s.peak_rss_mb} MB; ` +
        `slope ${s.slope_mb_per_1000} MB per 1,000 issuances (second half: ${s.slope_mb_per_1000_second_half}).`,
      '',
      `RSS after each round (MB): ${s.series.map((r) => r.rss_mb).join(', ')}`,
      '',
      `Live V8 heap: ${s.live_heap_at_start_mb} MB after the last full GC before any issuance, ${s.live_heap_at_end_mb} MB after a full GC forced at the end; V8 heap committed at the last GC of each round (MB): ${s.series.map((r) => r.heap_committed_mb).join(', ')}`,
      '',
      `Leak check: live heap ${s.leak_check.live_heap_before_mb} MB → ${s.leak_check.live_heap_after_mb} MB across ${s.leak_check.issuances} more issuances between two forced full GCs (${s.leak_check.growth_kb_per_1000} KB per 1,000).`,
    );
  }
  lines.push('', '| target | measured | |', '|---|---|---|');
  for (const t of result.targets) lines.push(`| ${t.target} | ${t.value} | ${mark(t.met)} |`);
  return `${lines.join('\n')}\n`;
}
