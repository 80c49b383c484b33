import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchEnv } from './environment.js';
import { keepAlivePool } from './http.js';
import type { RunLifetime } from './lifecycle.js';
import { round2, roundStats, runClosedLoop } from './load.js';
import { connectionsTo, cpuMeter, cpuSplitMs, syscallCounters } from './procfs.js';
import { brokerPath } from '../paths/broker.js';

/**
 * Profiles the broker's hot path: a broker process started with `node --cpu-prof` takes
 * warm-up traffic, then a measured window of POST /v1/entities; only samples inside that
 * window count (V8's profile clock and process.hrtime are both CLOCK_MONOTONIC on Linux).
 */

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  requests: number;
  concurrency: number;
  throughput_rps: number;
  p99_ms: number;
  /** Broker process CPU per request from /proc, the profiler's own overhead included. */
  broker_cpu_ms_per_req: number;
  window_ms: number;
  /** Sampled time the broker's thread was not idle, per request. */
  busy_ms_per_req: number;
  /** Self time by where the code lives (package, node internals, broker file, GC…). */
  self_by_category: { category: string; ms: number; pct_of_busy: number }[];
  top_self_functions: { function: string; where: string; ms: number; pct_of_busy: number }[];
  /** Time with a frame of this package on the stack (synchronous work it causes). */
  inclusive_by_package: { category: string; ms: number; pct_of_busy: number }[];
  /** Same, for the broker's own functions (dist/… is the compiled src/…). */
  inclusive_broker_functions: { function: string; where: string; ms: number; pct_of_busy: number }[];
  profile_file: string;
  window_matched: boolean;
  /** /proc counters over the measured window, per request. */
  per_request: { user_cpu_ms: number; sys_cpu_ms: number; read_syscalls: number; write_syscalls: number; voluntary_ctxt_switches: number; nonvoluntary_ctxt_switches: number };
  /** Established broker→OpenBao connections before and after the window, and how many are new. */
  openbao_connections: { before: number; after: number; opened_during_window: number };
}

export async function runProfile(env: BenchEnv, life: RunLifetime, options: { warmup: number; requests: number; concurrency: number; outDir: string }): Promise<ProfileSummary> {
  mkdirSync(options.outDir, { recursive: true });
  const before = new Set(readdirSync(options.outDir));
  const broker = await env.startBroker({ label: 'profile', nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${options.outDir}`, '--cpu-prof-interval=200'] });
  const path = brokerPath();
  const { origin } = await path.setup({ env, brokerUrl: broker.url });
  const pool = keepAlivePool(origin, options.concurrency);
  const baoPort = Number(new URL(env.bao.addr).port);
  let conns0: number[] = [];
  let conns1: number[] = [];
  let perRequest: ProfileSummary['per_request'] | undefined;
  let window: { start: number; end: number };
  let stats;
  let cpu;
  try {
    await runClosedLoop({ concurrency: options.concurrency, count: options.warmup, send: (i) => path.send(pool, `profile-warm-${i}`) });
    life.checkAborted();
    const meter = cpuMeter({ broker: broker.pid });
    const split0 = cpuSplitMs(broker.pid);
    const sys0 = syscallCounters(broker.pid);
    conns0 = connectionsTo(broker.pid, baoPort);
    const start = Number(process.hrtime.bigint() / 1000n);
    const sample = await runClosedLoop({ concurrency: options.concurrency, count: options.requests, send: (i) => path.send(pool, `profile-${i}`) });
    window = { start, end: Number(process.hrtime.bigint() / 1000n) };
    cpu = meter.read()['broker_cpu_pct'] ?? -1;
    const split1 = cpuSplitMs(broker.pid);
    const sys1 = syscallCounters(broker.pid);
    conns1 = connectionsTo(broker.pid, baoPort);
    const per = (a: number, b: number) => Math.round(((b - a) / options.requests) * 1000) / 1000;
    perRequest = {
      user_cpu_ms: per(split0.user, split1.user),
      sys_cpu_ms: per(split0.sys, split1.sys),
      read_syscalls: per(sys0.syscr, sys1.syscr),
      write_syscalls: per(sys0.syscw, sys1.syscw),
      voluntary_ctxt_switches: per(sys0.voluntary_ctxt_switches, sys1.voluntary_ctxt_switches),
      nonvoluntary_ctxt_switches: per(sys0.nonvoluntary_ctxt_switches, sys1.nonvoluntary_ctxt_switches),
    };
    stats = { ...roundStats(sample, options.requests), wallMs: sample.wallMs };
  } finally {
    await pool.close();
  }
  await broker.stop();
  const file = readdirSync(options.outDir).find((name) => name.endsWith('.cpuprofile') && !before.has(name));
  if (!file) throw new Error(`the broker wrote no .cpuprofile into ${options.outDir}`);
  const profile = JSON.parse(readFileSync(join(options.outDir, file), 'utf8')) as CpuProfile;
  pruneProfiles(options.outDir, 5);
  const summary = summarise(profile, window, options.requests);
  return {
    requests: options.requests,
    concurrency: options.concurrency,
    throughput_rps: stats.throughput_rps,
    p99_ms: stats.p99_ms,
    broker_cpu_ms_per_req: cpu < 0 ? -1 : round2(((cpu / 100) * stats.wallMs) / options.requests),
    ...summary,
    profile_file: join(options.outDir, file),
    per_request: perRequest as ProfileSummary['per_request'],
    openbao_connections: { before: conns0.length, after: conns1.length, opened_during_window: conns1.filter((p) => !conns0.includes(p)).length },
  };
}

/** Raw profiles are 1–2 MB each: keep the newest few. */
function pruneProfiles(dir: string, keep: number): void {
  const profiles = readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => ({ name, at: statSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const old of profiles.slice(keep)) rmSync(join(dir, old.name), { force: true });
}

function summarise(
  profile: CpuProfile,
  window: { start: number; end: number },
  requests: number,
): Omit<ProfileSummary, 'requests' | 'concurrency' | 'throughput_rps' | 'p99_ms' | 'broker_cpu_ms_per_req' | 'profile_file' | 'per_request' | 'openbao_connections'> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const windowMatched = window.start >= profile.startTime && window.end <= profile.endTime;
  const inWindow = (t: number) => !windowMatched || (t >= window.start && t <= window.end);

  const self = new Map<number, number>();
  const inclusiveFn = new Map<string, number>();
  const inclusivePkg = new Map<string, number>();
  let t = profile.startTime;
  let windowUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (!inWindow(t)) continue;
    windowUs += delta;
    const id = profile.samples[i] as number;
    self.set(id, (self.get(id) ?? 0) + delta);
    const node = byId.get(id);
    if (!node || isIdle(node)) continue;
    const fns = new Set<string>();
    const pkgs = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at);
      if (!frame) break;
      const category = categoryOf(frame);
      pkgs.add(category);
      if (category.startsWith('broker ')) fns.add(`${frame.callFrame.functionName || '(anonymous)'}\t${where(frame)}`);
    }
    for (const key of fns) inclusiveFn.set(key, (inclusiveFn.get(key) ?? 0) + delta);
    for (const key of pkgs) inclusivePkg.set(key, (inclusivePkg.get(key) ?? 0) + delta);
  }

  let busyUs = 0;
  const selfByCategory = new Map<string, number>();
  const selfByFn = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    if (!isIdle(node)) busyUs += us;
    const category = categoryOf(node);
    selfByCategory.set(category, (selfByCategory.get(category) ?? 0) + us);
    if (!isIdle(node)) {
      const key = `${node.callFrame.functionName || '(anonymous)'}\t${where(node)}`;
      selfByFn.set(key, (selfByFn.get(key) ?? 0) + us);
    }
  }
  const ms = (us: number) => round2(us / 1000);
  const pct = (us: number) => round2((us / Math.max(1, busyUs)) * 100);
  const top = <T>(map: Map<string, number>, n: number, shape: (key: string, us: number) => T): T[] =>
    [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([key, us]) => shape(key, us));
  const fnShape = (key: string, us: number) => {
    const [fn, at] = key.split('\t');
    return { function: fn ?? '', where: at ?? '', ms: ms(us), pct_of_busy: pct(us) };
  };
  const catShape = (category: string, us: number) => ({ category, ms: ms(us), pct_of_busy: pct(us) });
  return {
    window_ms: ms(windowUs),
    busy_ms_per_req: round2(busyUs / 1000 / requests),
    self_by_category: top(selfByCategory, 25, catShape),
    top_self_functions: top(selfByFn, 30, fnShape),
    inclusive_by_package: top(inclusivePkg, 25, catShape).filter((c) => c.category !== '(root)'),
    inclusive_broker_functions: top(inclusiveFn, 25, fnShape),
    window_matched: windowMatched,
  };
}

function isIdle(node: CpuProfileNode): boolean {
  return node.callFrame.functionName === '(idle)';
}

/** "zod", "node:internal/streams", "broker http/app.js", "(garbage collector)", "native". */
function categoryOf(node: CpuProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : 'native (V8 builtins, e.g. JSON, RegExp)';
  if (url.startsWith('node:')) {
    const parts = url.slice('node:'.length).split('/');
    return `node:${parts[0] === 'internal' ? `internal/${parts[1] ?? ''}` : parts[0]}`.replace(/\.js$/, '');
  }
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const src = /\/(?:dist|src)\/(.+)$/.exec(url);
  return src ? `broker ${src[1]}` : url;
}

function where(node: CpuProfileNode): string {
  const { url, lineNumber } = node.callFrame;
  if (!url) return '';
  const short = url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '').replace(/^.*\/(dist|src)\//, '$1/');
  return `${short}:${lineNumber + 1}`;
}
