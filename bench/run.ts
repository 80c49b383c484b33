/**
 * Issuing isolated identities, three ways, on one fresh OpenBao: the seed's admin-token
 * flow, the broker's POST /v1/entities, and the floor (the broker's one OpenBao call made
 * directly). Writes bench/results/latest.{json,md,svg}. See docs/performance.md.
 *
 *   npx tsx bench/run.ts [--quick] [--soak] [--profile] [--no-split] [--runtime=dist|tsx] [--broker-entry=cli|serve-only]
 *   npx tsx bench/run.ts --only=soak      # bench/results/latest-soak.{json,md,svg}
 *   npx tsx bench/run.ts --only=profile   # bench/results/profile.{json,md}
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrokerEntry, BrokerRuntime } from './lib/broker-process.js';
import { startEnvironment, type BenchEnv } from './lib/environment.js';
import { createRunLifetime, type RunLifetime } from './lib/lifecycle.js';
import { round2 } from './lib/load.js';
import { measureObjectGrowth, type ObjectGrowth } from './lib/objects.js';
import { applySplit, splitUnavailable } from './lib/placement.js';
import { rssPeaks } from './lib/procfs.js';
import { runProfile, type ProfileSummary } from './lib/profile.js';
import { computeRatios, evaluateTargets, markdownReport, summarisePaths, writeAtomically } from './lib/report.js';
import { profileMarkdown, soakChart, soakMarkdown, resultChart } from './lib/outputs.js';
import { runAlternating } from './lib/rounds.js';
import { runSoak, type SoakResult } from './lib/soak.js';
import { defaultPaths } from './paths/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = join(ROOT, 'bench', 'results');
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

const QUICK = flag('quick');
const ONLY = option('only') as 'soak' | 'profile' | undefined;
const RUNTIME = (option('runtime') ?? 'dist') as BrokerRuntime;
const ENTRY = (option('broker-entry') ?? 'cli') as BrokerEntry;
const WITH_SOAK = ONLY === 'soak' || (!ONLY && flag('soak'));
const WITH_PROFILE = ONLY === 'profile' || (!ONLY && flag('profile'));
const WITH_SPLIT = !ONLY && !flag('no-split');

const MAIN = QUICK
  ? { count: 100, rounds: 3, warmup: 100, objectUsers: 1000, deadlineMs: 100_000 }
  : { count: 500, rounds: 7, warmup: 500, objectUsers: 1000, deadlineMs: 540_000 };
/** The split placement (OpenBao alone on a core) repeats the comparison, shorter. */
const SPLIT = QUICK ? { count: 100, rounds: 3, warmup: 100 } : { count: 300, rounds: 3, warmup: 300 };
const CONCURRENCIES = [1, 16, 64] as const;
const SOAK = { rounds: 20, perRound: 500, concurrency: 16, deadlineMs: 180_000 };
const PROFILE = { warmup: 1000, requests: 5000, concurrency: 16, deadlineMs: 120_000 };
/** Soak RSS slope (2nd half) under this counts as "no upward trend": < 5 MB over 10,000. */
const FLAT_SLOPE_MB_PER_1000 = 0.5;

if (ONLY && ONLY !== 'soak' && ONLY !== 'profile') throw new Error(`--only must be soak or profile, not ${ONLY}`);
if (RUNTIME !== 'dist' && RUNTIME !== 'tsx') throw new Error(`--runtime must be dist or tsx, not ${RUNTIME}`);
/** Diagnostic variants write next to the headline files, never over them. */
const SUFFIX = `${RUNTIME === 'tsx' ? '-tsx' : ''}${ENTRY === 'serve-only' ? '-serve-only' : ''}`;
if (ENTRY !== 'cli' && ENTRY !== 'serve-only') throw new Error(`--broker-entry must be cli or serve-only, not ${ENTRY}`);

const deadlineMs = 20_000 + (ONLY ? 0 : MAIN.deadlineMs) + (WITH_SOAK ? SOAK.deadlineMs : 0) + (WITH_PROFILE ? PROFILE.deadlineMs : 0);
const life = createRunLifetime({ name: 'bench', deadlineMs });

/** Read when the run starts, when src/ is compiled for the broker child. */
let measuredCode: Record<string, unknown> = {};

function machine(env: BenchEnv, loadAtStart: number): Record<string, unknown> {
  return {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? 'unknown',
    // Other work on the machine skews results: recorded so a noisy run can be recognised.
    loadavg_1m_at_start: loadAtStart,
    loadavg_1m_at_end: round2(loadavg()[0] ?? 0),
    node: process.version,
    openbao_version: env.bao.version,
    broker_runtime: RUNTIME,
    broker_entry: ENTRY,
    ...measuredCode,
  };
}

/** Which code was measured: the commit, and whether src/ had uncommitted changes. */
function gitState(): Record<string, unknown> {
  const git = (...gitArgs: string[]) => spawnSync('git', gitArgs, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const dirty = git('status', '--porcelain', '--', 'src');
  return { git_commit: git('rev-parse', '--short', 'HEAD') || 'unknown', src_uncommitted_changes: dirty ? dirty.split('\n').length : 0 };
}

async function soakOnly(env: BenchEnv, lifetime: RunLifetime, loadAtStart: number): Promise<number> {
  const soak = await runSoak(env, lifetime, SOAK);
  const result = { benchmark: 'soak', time: new Date().toISOString(), machine: machine(env, loadAtStart), soak };
  writeAtomically(join(RESULTS, `latest-soak${SUFFIX}.json`), `${JSON.stringify(result, null, 2)}\n`);
  writeAtomically(join(RESULTS, `latest-soak${SUFFIX}.md`), soakMarkdown(soak, result.time, FLAT_SLOPE_MB_PER_1000));
  writeAtomically(join(RESULTS, `latest-soak${SUFFIX}.svg`), soakChart(soak));
  lifetime.progress(`wrote ${join(RESULTS, `latest-soak${SUFFIX}.{json,md,svg}`)}`);
  return soak.failures > 0 ? 1 : 0;
}

async function profileOnly(env: BenchEnv, lifetime: RunLifetime): Promise<ProfileSummary> {
  const profile = await runProfile(env, lifetime, { ...PROFILE, outDir: join(ROOT, 'bench', '.profiles') });
  writeAtomically(join(RESULTS, `profile${SUFFIX}.json`), `${JSON.stringify(profile, null, 2)}\n`);
  writeAtomically(join(RESULTS, `profile${SUFFIX}.md`), profileMarkdown(profile));
  lifetime.progress(`wrote ${join(RESULTS, `profile${SUFFIX}.{json,md}`)}; raw profile ${profile.profile_file}`);
  return profile;
}

async function main(): Promise<number> {
  const loadAtStart = round2(loadavg()[0] ?? 0);
  measuredCode = gitState();
  const env = await startEnvironment(life, { root: ROOT, runtime: RUNTIME, entry: ENTRY });
  if (ONLY === 'soak') return soakOnly(env, life, loadAtStart);
  if (ONLY === 'profile') return (await profileOnly(env, life)) ? 0 : 1;

  const broker = await env.startBroker({ label: 'main' });
  const rss = rssPeaks({ broker: broker.pid, openbao: env.bao.pid, generator: process.pid });
  life.onCleanup(() => void rss.stop());
  const paths = [];
  for (const path of defaultPaths()) paths.push({ path, ...(await path.setup({ env, brokerUrl: broker.url })) });

  // Objects first, on a nearly empty OpenBao with nothing else running: exact deltas.
  const objects: Record<string, ObjectGrowth> = {};
  for (const { path, origin } of paths) {
    life.checkAborted();
    objects[path.name] = await measureObjectGrowth({ admin: env.admin, path, origin, users: MAIN.objectUsers, concurrency: 16 });
    const o = objects[path.name] as ObjectGrowth;
    life.progress(`${path.name}: ${o.users} users → +${o.policies} policies, +${o.entities} entities, +${o.aliases} aliases per 1,000${o.failures ? ` (${o.failures} FAILED)` : ''}`);
  }

  const { rounds, failures } = await runAlternating({
    paths,
    concurrencies: CONCURRENCIES,
    rounds: MAIN.rounds,
    count: MAIN.count,
    warmup: MAIN.warmup,
    pids: { generator: process.pid, broker: broker.pid, openbao: env.bao.pid },
    life,
    phase: 'shared',
  });
  const loadAfterShared = round2(loadavg()[0] ?? 0);

  // The same comparison with OpenBao alone on core 0 and broker + generator on core 1.
  let split: { rounds: ReturnType<typeof summarisePaths>; failures: number; skipped?: string } | undefined;
  const unavailable = WITH_SPLIT ? splitUnavailable() : 'disabled (--no-split)';
  if (unavailable) {
    life.progress(`split placement skipped: ${unavailable}`);
  } else {
    const restore = applySplit({ openbao: env.bao.pid, broker: broker.pid, generator: process.pid });
    life.onCleanup(restore);
    life.progress('split placement: OpenBao on CPU 0, broker and load generator on CPU 1');
    try {
      const measured = await runAlternating({ paths, concurrencies: CONCURRENCIES, ...SPLIT, pids: { generator: process.pid, broker: broker.pid, openbao: env.bao.pid }, life, phase: 'split' });
      split = { rounds: summarisePaths(measured.rounds), failures: measured.failures };
    } finally {
      restore();
    }
  }

  const mainPeak = broker.peakRssMb();
  const peaks = rss.stop();
  await broker.stop();

  let soak: SoakResult | undefined;
  if (WITH_SOAK) soak = await runSoak(env, life, SOAK);
  let profile: ProfileSummary | undefined;
  if (WITH_PROFILE) profile = await profileOnly(env, life);

  const summary = summarisePaths(rounds);
  const ratios = computeRatios(summary, CONCURRENCIES, 16);
  const brokerPeak = Math.max(mainPeak, soak?.peak_rss_mb ?? -1);
  const splitRatios = split ? computeRatios(split.rounds, CONCURRENCIES, 16) : undefined;
  const targets = evaluateTargets({ ratios, splitRatios, objects, brokerPeakRssMb: brokerPeak, soak, flatSlopeMbPer1000: FLAT_SLOPE_MB_PER_1000 });
  const allFailures = failures + (split?.failures ?? 0) + Object.values(objects).reduce((n, o) => n + o.failures, 0) + (soak?.failures ?? 0);
  const result = {
    benchmark: 'issue-entities',
    mode: QUICK ? 'quick' : 'full',
    time: new Date().toISOString(),
    machine: machine(env, loadAtStart),
    settings: {
      placement: 'shared',
      requests_per_round: MAIN.count,
      rounds: MAIN.rounds,
      warmup_per_path_and_concurrency: MAIN.warmup,
      concurrencies: [...CONCURRENCIES],
      users_for_object_counts: MAIN.objectUsers,
      loadavg_1m_after_shared_rounds: loadAfterShared,
    },
    paths: summary,
    path_descriptions: Object.fromEntries(paths.map(({ path }) => [path.name, { summary: path.summary, calls: path.calls }])),
    ratios,
    objects_per_1000_users: objects,
    broker_peak_rss_mb: brokerPeak,
    broker_peak_rss_mb_by_phase: { main_run: mainPeak, ...(soak ? { soak: soak.peak_rss_mb } : {}) },
    openbao_peak_rss_mb: peaks['openbao'],
    generator_peak_rss_mb: peaks['generator'],
    placements: {
      split: split
        ? { description: 'OpenBao pinned to CPU 0; broker and load generator pinned to CPU 1', requests_per_round: SPLIT.count, rounds: SPLIT.rounds, paths: split.rounds, ratios: splitRatios }
        : { skipped: unavailable },
    },
    ...(soak ? { soak } : {}),
    ...(profile ? { profile } : {}),
    targets,
    failures: allFailures,
    notes: [
      'medians are medians of per-round values; throughput = requests / round wall time; every request names a new user',
      'the broker runs in its own process (`serve --config`); the load generator, the broker and OpenBao share the 2 cores',
      'broker_peak_rss_mb is VmHWM of the broker process (max over the main run and the soak when one ran)',
      'ratios are at concurrency 16; by_concurrency has all three',
      'paths/ratios are the shared placement (every process on every core); placements.split repeats them with OpenBao alone on one core',
    ],
  };
  writeAtomically(join(RESULTS, `latest${SUFFIX}.json`), `${JSON.stringify(result, null, 2)}\n`);
  writeAtomically(
    join(RESULTS, `latest${SUFFIX}.md`),
    markdownReport({ ...result, concurrencies: CONCURRENCIES, rounds: MAIN.rounds, count: MAIN.count, soak, split: split && splitRatios ? { paths: split.rounds, ratios: splitRatios, rounds: SPLIT.rounds, count: SPLIT.count } : undefined }),
  );
  writeAtomically(join(RESULTS, `latest${SUFFIX}.svg`), resultChart({ ...result, concurrencies: CONCURRENCIES, soak }));
  life.progress(`wrote ${join(RESULTS, `latest${SUFFIX}.{json,md,svg}`)}`);
  for (const t of targets) life.progress(`target: ${t.target}: ${t.value} → ${t.met === null ? 'not measured' : t.met ? 'met' : 'NOT MET'}`);
  if (allFailures > 0) life.progress(`${allFailures} requests failed`);
  return allFailures > 0 ? 1 : 0;
}

life.run(main);
