// CPU time, read where the kernel keeps it: a container's cgroup (v1 cpuacct or v2 cpu.stat, under
// dockerd's cgroupfs or systemd layout), and processes by name (/proc/PID/stat). For the benchmarks.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** A container's CPU time so far, in ms; undefined when its cgroup cannot be found. */
export function containerCpuMs(id: string): number | undefined {
  const v1 = [`/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`, `/sys/fs/cgroup/cpuacct/system.slice/docker-${id}.scope/cpuacct.usage`];
  for (const f of v1) if (existsSync(f)) return Number(readFileSync(f, 'utf8')) / 1e6;
  const v2 = [`/sys/fs/cgroup/docker/${id}/cpu.stat`, `/sys/fs/cgroup/system.slice/docker-${id}.scope/cpu.stat`];
  for (const f of v2) if (existsSync(f)) return Number(/usage_usec (\d+)/.exec(readFileSync(f, 'utf8'))?.[1] ?? 0) / 1000;
  return undefined;
}

/** CPU time (ms) of every process whose command name is `comm` (docker-proxy, dockerd, containerd). */
export function processCpuMs(comm: string): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (name !== comm) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(f[11]) + Number(f[12])) * TICK_MS; // utime, stime
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** CPU used by a set of containers and processes over `fn`: ms each, and the wall time. */
export async function cpuDuring<T>(
  ids: string[],
  comms: string[],
  fn: () => Promise<T>,
): Promise<{ result: T; wallMs: number; containersMs: number; byComm: Record<string, number> }> {
  const c0 = ids.map((id) => containerCpuMs(id) ?? 0);
  const p0 = comms.map(processCpuMs);
  const t0 = performance.now();
  const result = await fn();
  const wallMs = performance.now() - t0;
  const containersMs = ids.reduce((n, id, i) => n + (containerCpuMs(id) ?? 0) - c0[i], 0);
  const byComm = Object.fromEntries(comms.map((c, i) => [c, processCpuMs(c) - p0[i]]));
  return { result, wallMs, containersMs, byComm };
}
