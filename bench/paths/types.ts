import type { Pool } from 'undici';
import type { BenchEnv } from '../lib/environment.js';

/** What a path may talk to once the run's broker is up. */
export interface PathContext {
  env: BenchEnv;
  brokerUrl: string;
}

/**
 * One way of issuing an isolated identity for a new end user. The runner opens a
 * keep-alive pool to `origin` per concurrency level and calls `send` once per user;
 * `send` resolves when the user holds a token bound to their own entity, throws otherwise.
 *
 * Adding a path (e.g. the entity pool's POST /v1/leases + DELETE) is one more file
 * exporting such an object, listed in paths/index.ts.
 */
export interface BenchPath {
  readonly name: string;
  /** One line for the report. */
  readonly summary: string;
  /** The HTTP calls one issuance makes, in order (documented in docs/performance.md). */
  readonly calls: readonly string[];
  /** Once per run, untimed: roles, tokens. Returns the origin `send` talks to. */
  setup(context: PathContext): Promise<{ origin: string }>;
  send(pool: Pool, user: string): Promise<void>;
}
