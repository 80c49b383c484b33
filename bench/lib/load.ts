/**
 * A closed-loop load generator: `concurrency` workers each send the next request as soon as
 * their previous one answered, until `count` requests were sent. Latency is measured per
 * request with performance.now(); throughput is count over the round's wall time.
 */

export interface RoundSample {
  latenciesMs: number[];
  wallMs: number;
  failures: number;
  /** The first failure's message (never holds a token), for the progress log. */
  firstFailure?: string;
}

export interface RoundStats {
  p50_ms: number;
  p99_ms: number;
  throughput_rps: number;
  failures: number;
}

/** `send(i)` resolves when request i succeeded and throws when it failed. */
export async function runClosedLoop(options: { concurrency: number; count: number; send: (i: number) => Promise<void> }): Promise<RoundSample> {
  const latenciesMs: number[] = [];
  let next = 0;
  let failures = 0;
  let firstFailure: string | undefined;
  const worker = async () => {
    for (let i = next++; i < options.count; i = next++) {
      const started = performance.now();
      try {
        await options.send(i);
        latenciesMs.push(performance.now() - started);
      } catch (error) {
        failures++;
        firstFailure ??= (error as Error).message;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.count) }, worker));
  const wallMs = performance.now() - started;
  return { latenciesMs, wallMs, failures, ...(firstFailure ? { firstFailure } : {}) };
}

export function roundStats(sample: RoundSample, count: number): RoundStats {
  const sorted = [...sample.latenciesMs].sort((a, b) => a - b);
  return {
    p50_ms: round2(percentile(sorted, 0.5)),
    p99_ms: round2(percentile(sorted, 0.99)),
    throughput_rps: round2((count / sample.wallMs) * 1000),
    failures: sample.failures,
  };
}

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1] as number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Least-squares slope of y over x (NaN with fewer than two distinct x). */
export function linearSlope(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return Number.NaN;
  const mean = (values: readonly number[]) => values.slice(0, n).reduce((a, b) => a + b, 0) / n;
  const mx = mean(xs);
  const my = mean(ys);
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    den += ((xs[i] as number) - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}
