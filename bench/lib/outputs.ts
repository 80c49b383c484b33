import { renderChart, renderRssChart } from './chart.js';
import type { ObjectGrowth } from './objects.js';
import type { ProfileSummary } from './profile.js';
import type { PathSummary } from './report.js';
import type { SoakResult } from './soak.js';

/** The result files besides latest.json: chart and markdown for the soak and the profile. */

const RSS_LIMIT_MB = 150;

function rssLine(soak: SoakResult) {
  return {
    label: `issuances (thousands), ${soak.rounds} rounds of ${soak.per_round}`,
    points: [{ x: 0, y: soak.rss_at_start_mb }, ...soak.series.map((r) => ({ x: r.issued_total / 1000, y: r.rss_mb }))],
    limit: RSS_LIMIT_MB,
  };
}

export function resultChart(result: {
  mode: string;
  time: string;
  machine: Record<string, unknown>;
  concurrencies: readonly number[];
  paths: Record<string, Record<string, PathSummary>>;
  objects_per_1000_users: Record<string, ObjectGrowth>;
  soak?: SoakResult | undefined;
}): string {
  const series = (field: 'throughput_rps' | 'p99_ms') =>
    Object.entries(result.paths).map(([name, byC]) => ({ name, values: result.concurrencies.map((c) => byC[`c${c}`]?.[field] ?? Number.NaN) }));
  const objectPaths = Object.keys(result.objects_per_1000_users);
  return renderChart({
    title: 'Issuing an isolated identity per end user: seed vs broker vs floor',
    subtitle: `${result.mode} run ${result.time} · ${result.machine['cpus']} cores (shared) · OpenBao ${result.machine['openbao_version']} · medians of alternating rounds`,
    concurrencies: result.concurrencies,
    throughput: series('throughput_rps'),
    p99: series('p99_ms'),
    objects: {
      groups: objectPaths,
      series: (['policies', 'entities', 'aliases'] as const).map((kind) => ({ name: kind, values: objectPaths.map((p) => result.objects_per_1000_users[p]?.[kind] ?? Number.NaN) })),
    },
    rss: result.soak ? rssLine(result.soak) : undefined,
  });
}

export function soakChart(soak: SoakResult): string {
  return renderRssChart(`Broker RSS over ${soak.issuances} issuances`, rssLine(soak));
}

export function soakMarkdown(soak: SoakResult, time: string, flatSlope: number): string {
  return [
    `# Soak (${time})`,
    '',
    `${soak.issuances} issuances through a fresh broker process, ${soak.rounds} rounds of ${soak.per_round} at concurrency ${soak.concurrency}.`,
    `RSS at start ${soak.rss_at_start_mb} MB; peak (VmHWM) ${soak.peak_rss_mb} MB (target ≤ ${RSS_LIMIT_MB} MB: ${soak.peak_rss_mb <= RSS_LIMIT_MB ? 'met' : '**not met**'}).`,
    `Slope of RSS over issuances: ${soak.slope_mb_per_1000} MB per 1,000 (all rounds), ${soak.slope_mb_per_1000_second_half} MB per 1,000 (second half; flat if < ${flatSlope}: ${soak.slope_mb_per_1000_second_half < flatSlope ? 'met' : '**not met**'}).`,
    `Live V8 heap: ${soak.live_heap_at_start_mb} MB after the last full GC before any issuance, ${soak.live_heap_at_end_mb} MB after a full GC forced at the end (RSS then ${soak.rss_after_forced_gc_at_end_mb} MB). ` +
      `V8 ran ${soak.full_gcs.length} full GCs (forced ones included) and ${soak.scavenges} scavenges.`,
    `Leak check: live heap ${soak.leak_check.live_heap_before_mb} MB → ${soak.leak_check.live_heap_after_mb} MB across ${soak.leak_check.issuances} more issuances between two forced full GCs (${soak.leak_check.growth_kb_per_1000} KB per 1,000).`,
    '',
    '| round | issued | RSS MB | peak MB | V8 heap used MB | V8 heap committed MB | full GCs so far | issuances/s | p99 ms | failures |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...soak.series.map(
      (r) =>
        `| ${r.round} | ${r.issued_total} | ${r.rss_mb} | ${r.peak_rss_mb} | ${r.heap_used_mb} | ${r.heap_committed_mb} | ${r.full_gcs_so_far} | ${r.throughput_rps} | ${r.p99_ms} | ${r.failures} |`,
    ),
    '',
  ].join('\n');
}

export function profileMarkdown(p: ProfileSummary): string {
  const rows = (list: { ms: number; pct_of_busy: number }[], name: (row: never) => string, n = 15) =>
    list.slice(0, n).map((row) => `| ${name(row as never)} | ${row.ms} | ${row.pct_of_busy}% |`);
  return [
    '# Broker CPU profile (POST /v1/entities)',
    '',
    `${p.requests} requests at concurrency ${p.concurrency} after warm-up: ${p.throughput_rps} req/s, p99 ${p.p99_ms} ms under the profiler.`,
    `Broker CPU ${p.broker_cpu_ms_per_req} ms per request (/proc, profiler overhead included); sampled busy time ${p.busy_ms_per_req} ms per request in a ${p.window_ms} ms window${p.window_matched ? '' : ' (window not matched: whole profile)'}.`,
    `Per request (/proc): user ${p.per_request.user_cpu_ms} ms, sys ${p.per_request.sys_cpu_ms} ms CPU; ${p.per_request.read_syscalls} read and ${p.per_request.write_syscalls} write system calls; ` +
      `${p.per_request.voluntary_ctxt_switches} voluntary and ${p.per_request.nonvoluntary_ctxt_switches} involuntary context switches.`,
    `Connections to OpenBao: ${p.openbao_connections.before} before the window, ${p.openbao_connections.after} after, ${p.openbao_connections.opened_during_window} opened during it.`,
    '',
    'Sampled time is wall time on the broker thread: a native call (writeBuffer, writev) that wakes another process on a busy 2-core machine is charged for the time the thread waited to run again.',
    '',
    '## Self time by where the code lives',
    '',
    '| category | ms | % of busy |',
    '|---|---:|---:|',
    ...rows(p.self_by_category, (r: { category: string }) => r.category),
    '',
    '## Time with a frame of the package on the stack',
    '',
    '| package | ms | % of busy |',
    '|---|---:|---:|',
    ...rows(p.inclusive_by_package, (r: { category: string }) => r.category),
    '',
    '## Broker functions, inclusive (synchronous part)',
    '',
    '| function | where | ms | % of busy |',
    '|---|---|---:|---:|',
    ...p.inclusive_broker_functions.slice(0, 20).map((r) => `| ${r.function} | ${r.where} | ${r.ms} | ${r.pct_of_busy}% |`),
    '',
    '## Top self-time functions',
    '',
    '| function | where | ms | % of busy |',
    '|---|---|---:|---:|',
    ...p.top_self_functions.slice(0, 25).map((r) => `| ${r.function} | ${r.where} | ${r.ms} | ${r.pct_of_busy}% |`),
    '',
  ].join('\n');
}
