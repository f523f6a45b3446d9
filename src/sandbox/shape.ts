// What a running sandbox looks like: how many echo servers and etcd members, and whether the
// optional services (HAProxy, the xDS control plane) run. `up` records the shape it built (beside
// the owner markers, keyed by the network's session); without a record it is read from the
// labelled containers. Commands that look at a running sandbox (status, watch, traffic) take the
// topology with these overrides, so a container removed behind the lab's back shows as absent
// instead of shrinking the sandbox.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Topology } from '../topology/index.js';
import { readJsonFile } from '../util/json-file.js';
import { cacheDir } from '../util/paths.js';
import { LABEL, projectSelector } from './labels.js';
import type { ContainerRuntime } from './runtime/container-runtime.js';

export interface RunningShape {
  echo?: number;
  etcd?: number;
  proxy?: boolean;
  xds?: boolean;
  /** Whether any of the project's containers runs. */
  running: boolean;
}

/** The record on disk: read back parsed (a damaged one is no record: the shape comes from the containers). */
const recordedSchema = z.object({
  session: z.string(),
  echo: z.number().int().min(0).optional(),
  etcd: z.number().int().min(0).optional(),
  proxy: z.boolean().optional(),
  xds: z.boolean().optional(),
});
type Recorded = z.infer<typeof recordedSchema>;

const shapePath = (project: string) => path.join(cacheDir(), 'run', `${project}.shape.json`);

/** After `up`: the shape it built, for the network's session. */
export function recordShape(t: Topology, session: string): void {
  const count = (role: string) => t.instances.filter((i) => i.role === role).length;
  const shape: Recorded = {
    session,
    echo: count('echo'),
    etcd: count('etcd'),
    ...(count('proxy') ? { proxy: true } : {}),
    ...(count('xds') ? { xds: true } : {}),
  };
  try {
    mkdirSync(path.dirname(shapePath(t.project)), { recursive: true });
    writeFileSync(shapePath(t.project), JSON.stringify(shape));
  } catch {
    // Without the record, the shape is read from the containers.
  }
}

export function forgetShape(project: string): void {
  rmSync(shapePath(project), { force: true });
}

const recorded = (project: string): Recorded | undefined => readJsonFile(shapePath(project), recordedSchema);

export async function runningShape(rt: ContainerRuntime, project: string): Promise<RunningShape> {
  const [existing, networks] = await Promise.all([rt.listContainers(projectSelector(project)), rt.listNetworks(projectSelector(project))]);
  const running = existing.some((c) => c.state === 'running');
  const record = recorded(project);
  if (record && networks.some((n) => n.labels[LABEL.session] === record.session)) {
    const { session: _, ...shape } = record;
    return { ...shape, running };
  }
  const roles = existing.map((c) => c.labels[LABEL.role]);
  const count = (role: string) => roles.filter((r) => r === role).length;
  return {
    ...(count('echo') ? { echo: count('echo') } : {}),
    ...(count('etcd') > 1 ? { etcd: count('etcd') } : {}),
    ...(roles.includes('proxy') ? { proxy: true } : {}),
    ...(roles.includes('xds') ? { xds: true } : {}),
    running,
  };
}
