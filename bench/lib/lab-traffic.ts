// One run of `lab traffic` (its own process, 64 calls in flight, --json) and what it cost: its RPS,
// the median of its per-second p99s, and CPU per 1,000 calls of the client, of each process or
// container a bench names, and of the whole machine.
import path from 'node:path';
import { $ } from 'zx';
import { ROOT } from '../../test/helpers/lab.js';
import { machineCpuMs } from './cpu.js';
import { median } from './stats.js';

export interface TrafficRun {
  rps: number;
  p99: number;
  calls: number;
  /** CPU milliseconds per 1,000 calls: the client's, the whole machine's, and each named part's. */
  clientCpu: number;
  machineCpu: number;
  cpu: Record<string, number>;
}

const lab = path.join(ROOT, 'bin/lab.js');

export async function labTraffic(
  file: string,
  target: string,
  options: { seconds: number; args?: string[]; cpu?: Record<string, () => Promise<number>> },
): Promise<TrafficRun> {
  const cmd = [
    lab,
    '-f',
    file,
    'traffic',
    '-t',
    target,
    '--concurrency',
    '64',
    '-d',
    `${options.seconds}s`,
    '--deadline',
    '5s',
    '--json',
    ...(options.args ?? []),
  ];
  const parts = Object.entries(options.cpu ?? {});
  const m0 = machineCpuMs();
  const before = await Promise.all(parts.map(([, read]) => read()));
  const r = await $({ cwd: ROOT, quiet: true })`${process.execPath} ${cmd}`;
  const after = await Promise.all(parts.map(([, read]) => read()));
  const m1 = machineCpuMs();
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type?: string; total?: { ok: number; p99Ms: number }; elapsedMs?: number; cpuMs?: number });
  const summary = lines.at(-1)!;
  const p99s = lines.filter((l) => l.type === 'bucket' && l.total).map((l) => l.total!.p99Ms);
  const calls = summary.total!.ok;
  const per1k = (ms: number) => (ms / Math.max(1, calls)) * 1000;
  return {
    rps: calls / (summary.elapsedMs! / 1000),
    p99: median(p99s),
    calls,
    clientCpu: per1k(summary.cpuMs ?? NaN),
    machineCpu: per1k(m1 - m0),
    cpu: Object.fromEntries(parts.map(([name], i) => [name, per1k(after[i] - before[i])])),
  };
}
