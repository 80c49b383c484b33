import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * Per-process CPU and memory from /proc (Linux). Elsewhere every reading is -1, and the
 * report says "n/a" rather than a wrong number.
 */

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 100) / 100;

/** utime + stime in ms; /proc/<pid>/stat counts clock ticks (USER_HZ, 100 on Linux). */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return -1;
  }
}

/** A field of /proc/<pid>/status in MB: VmRSS (resident now) or VmHWM (peak resident). */
export function statusMb(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  try {
    const kb = new RegExp(`${key}:\\s+(\\d+)\\s+kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? -1 : mb(Number(kb) * 1024);
  } catch {
    return -1;
  }
}

/** CPU used between start and read(), in % of one core, for each named process. */
export function cpuMeter(pids: Record<string, number>): { read(): Record<string, number> } {
  const wallStart = performance.now();
  const start = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid)]));
  return {
    read() {
      const wall = performance.now() - wallStart;
      return Object.fromEntries(
        Object.entries(pids).map(([name, pid]) => {
          const before = start[name] ?? -1;
          const after = cpuMs(pid);
          return [`${name}_cpu_pct`, before < 0 || after < 0 ? -1 : Math.round(((after - before) / wall) * 100)];
        }),
      );
    },
  };
}

/** Samples VmRSS of some processes every `everyMs` and keeps each one's peak (MB). */
export function rssPeaks(pids: Record<string, number>, everyMs = 100): { peaks(): Record<string, number>; stop(): Record<string, number> } {
  const peak: Record<string, number> = Object.fromEntries(Object.keys(pids).map((name) => [name, -1]));
  const sample = () => {
    for (const [name, pid] of Object.entries(pids)) peak[name] = Math.max(peak[name] ?? -1, statusMb(pid, 'VmRSS'));
  };
  sample();
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    peaks: () => ({ ...peak }),
    stop() {
      clearInterval(timer);
      sample();
      return { ...peak };
    },
  };
}

/** utime and stime separately, ms (-1 each when unreadable). */
export function cpuSplitMs(pid: number): { user: number; sys: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) * 10, sys: Number(fields[12]) * 10 };
  } catch {
    return { user: -1, sys: -1 };
  }
}

/**
 * Counters that explain where a request's CPU goes: read/write system calls
 * (/proc/<pid>/io) and context switches summed over all threads.
 */
export function syscallCounters(pid: number): { syscr: number; syscw: number; voluntary_ctxt_switches: number; nonvoluntary_ctxt_switches: number } {
  const out = { syscr: -1, syscw: -1, voluntary_ctxt_switches: 0, nonvoluntary_ctxt_switches: 0 };
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    out.syscr = Number(/syscr:\s+(\d+)/.exec(io)?.[1] ?? -1);
    out.syscw = Number(/syscw:\s+(\d+)/.exec(io)?.[1] ?? -1);
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const status = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
      out.voluntary_ctxt_switches += Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1] ?? 0);
      out.nonvoluntary_ctxt_switches += Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(status)?.[1] ?? 0);
    }
  } catch {
    // Not Linux, or the process is gone.
  }
  return out;
}

/**
 * Local ports of the process's established TCP connections to 127.0.0.1:<port>: the same
 * set before and after a window means every request reused a kept-alive connection.
 */
export function connectionsTo(pid: number, port: number): number[] {
  try {
    const inodes = new Set<string>();
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m?.[1]) inodes.add(m[1]);
      } catch {
        // fd closed meanwhile
      }
    }
    const remote = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
    const ports: number[] = [];
    for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local, remote, state (01 = ESTABLISHED), …, inode at column 9
      if (cols[2] === remote && cols[3] === '01' && inodes.has(cols[9] ?? '')) ports.push(parseInt(cols[1]?.split(':')[1] ?? '0', 16));
    }
    return ports.sort((a, b) => a - b);
  } catch {
    return [];
  }
}
