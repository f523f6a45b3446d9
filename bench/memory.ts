// Memory of the echo servers' node processes: VmRSS, its private part (RssAnon), the shared part
// (RssFile + RssShmem: the node binary and libraries, shared by every echo), PSS, and the cgroup's count.
import { readFileSync } from 'node:fs';
import { $ } from 'zx';
import { getRuntime, projectSelector } from '../src/sandbox/index.js';

export interface EchoMemory {
  name: string;
  rssMB: number;
  anonMB: number;
  sharedMB: number;
  pssMB: number;
  cgroupMB: number;
}

export async function echoMemory(project: string, limit = Infinity): Promise<EchoMemory[]> {
  const rt = getRuntime();
  const out = [];
  const echoes = (await rt.listContainers(projectSelector(project))).filter((c) => c.labels['dev.lab.role'] === 'echo').slice(0, limit);
  for (const c of echoes) {
    const { stdout: pid } = await $({ quiet: true })`docker inspect -f {{.State.Pid}} ${c.id}`;
    const children = readFileSync(`/proc/${pid.trim()}/task/${pid.trim()}/children`, 'utf8').trim().split(/\s+/);
    const node = children.find((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('server.cjs')) ?? pid.trim();
    const status = readFileSync(`/proc/${node}/status`, 'utf8');
    const kb = (re: RegExp, text: string) => Number(re.exec(text)?.[1] ?? 0);
    const pss = kb(/^Pss:\s+(\d+)/m, readFileSync(`/proc/${node}/smaps_rollup`, 'utf8'));
    out.push({
      name: c.labels['dev.lab.instance'],
      rssMB: kb(/VmRSS:\s+(\d+)/, status) / 1024,
      anonMB: kb(/RssAnon:\s+(\d+)/, status) / 1024,
      sharedMB: (kb(/RssFile:\s+(\d+)/, status) + kb(/RssShmem:\s+(\d+)/, status)) / 1024,
      pssMB: pss / 1024,
      cgroupMB: (await rt.memoryUsage(c.id)) / 1024 / 1024,
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
