// What a running sandbox looks like, read from its labelled containers: how many echo servers, and
// whether the optional services (HAProxy, the xDS control plane) run. Commands that look at a
// running sandbox (status, watch, traffic) take the topology with these overrides.
import { LABEL, projectSelector } from './labels.js';
import type { ContainerRuntime } from './runtime/container-runtime.js';

export interface RunningShape {
  echo?: number;
  proxy?: boolean;
  xds?: boolean;
  /** Whether any of the project's containers runs. */
  running: boolean;
}

export async function runningShape(rt: ContainerRuntime, project: string): Promise<RunningShape> {
  const existing = await rt.listContainers(projectSelector(project));
  const roles = existing.map((c) => c.labels[LABEL.role]);
  const echoes = roles.filter((r) => r === 'echo').length;
  return {
    ...(echoes ? { echo: echoes } : {}),
    ...(roles.includes('proxy') ? { proxy: true } : {}),
    ...(roles.includes('xds') ? { xds: true } : {}),
    running: existing.some((c) => c.state === 'running'),
  };
}
