// CPU and memory, read where they are kept: /proc for the machine and a process, Docker's stats for
// a container.
import { readFileSync } from 'node:fs';
import type Docker from 'dockerode';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** Busy CPU time of the whole machine so far, in ms (every core). */
export function machineCpuMs(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f;
  return (user + nice + system + irq + softirq + steal) * TICK_MS;
}

/** CPU time of one process so far (utime + stime), in ms. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * TICK_MS;
}

export function memoryMiB(pid: number): { rss: number; peak: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? NaN) / 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** CPU time of a container so far, in ms. */
export async function containerCpuMs(docker: Docker, name: string): Promise<number> {
  const s = (await docker.getContainer(name).stats({ stream: false })) as { cpu_stats: { cpu_usage: { total_usage: number } } };
  return s.cpu_stats.cpu_usage.total_usage / 1e6;
}
