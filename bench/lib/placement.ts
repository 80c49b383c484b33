import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';

/**
 * CPU placement of the run's processes. "shared": every process may run on every core
 * (the headline numbers). "split": OpenBao alone on core 0, broker and load generator on
 * core 1 — a stand-in for OpenBao on its own host, where the broker's CPU does not come
 * out of OpenBao's. Uses taskset on all threads (-a); Linux only.
 */
export type Placement = 'shared' | 'split';

function taskset(pid: number, cpuList: string): boolean {
  const result = spawnSync('taskset', ['-a', '-p', '-c', cpuList, String(pid)], { encoding: 'utf8', timeout: 5000 });
  return result.status === 0;
}

/** Why split placement is impossible here, or undefined when it is possible. */
export function splitUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (cpus().length < 2) return 'fewer than 2 CPUs';
  if (spawnSync('taskset', ['-V'], { encoding: 'utf8' }).status !== 0) return 'taskset not installed';
  return undefined;
}

/** Pins for the split placement; the returned function restores "every core" for all. */
export function applySplit(pids: { openbao: number; broker: number; generator: number }): () => void {
  const all = `0-${cpus().length - 1}`;
  const ok = taskset(pids.openbao, '0') && taskset(pids.broker, '1') && taskset(pids.generator, '1');
  const restore = () => {
    for (const pid of Object.values(pids)) taskset(pid, all);
  };
  if (!ok) {
    restore();
    throw new Error('taskset could not pin the processes');
  }
  return restore;
}
