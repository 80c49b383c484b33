import { brokerPath } from './broker.js';
import { floorPath } from './floor.js';
import { seedPath } from './seed.js';
import type { BenchPath } from './types.js';

export type { BenchPath, PathContext } from './types.js';

/** The paths of one run, in the order they alternate (A B C A B C …). */
export function defaultPaths(): BenchPath[] {
  return [seedPath(), brokerPath(), floorPath()];
}
