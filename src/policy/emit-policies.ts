import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { desiredState } from '../bootstrap/desired-state.js';
import type { Config } from '../config.js';

/**
 * The policies bootstrap would write, as files. They come from desiredState, the very
 * code bootstrap applies, so a shipped copy cannot say something OpenBao is not told;
 * a test regenerates deploy/policies/ and compares.
 */
export function policyFiles(config: Config): { file: string; hcl: string }[] {
  return desiredState(config).policies.map(({ name, hcl }) => {
    // Names are validated by the config schema; this guards the file system all the same.
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(name)) throw new Error(`policy name "${name}" is not a safe file name`);
    return { file: `${name}.hcl`, hcl };
  });
}

/** Writes DIR/<name>.hcl for each policy and returns the paths written. */
export function emitPolicies(config: Config, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return policyFiles(config).map(({ file, hcl }) => {
    const path = join(dir, file);
    writeFileSync(path, hcl);
    return path;
  });
}

/**
 * Policies depend on the config alone, so emitting them needs no OpenBao. The config
 * schema still insists on an address; this one is never contacted.
 */
export const OFFLINE_ADDR = 'http://127.0.0.1:8200';
