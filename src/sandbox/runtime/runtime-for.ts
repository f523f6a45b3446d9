// The runtime of a topology's engine, built once per process: this machine's Docker engine, or the
// swarm it manages.
import Docker from 'dockerode';
import type { Topology } from '../../topology/types.js';
import { SwarmRuntime } from '../swarm/swarm-runtime.js';
import type { ContainerRuntime } from './container-runtime.js';
import { getRuntime, sayWhenDockerIsGone } from './docker-runtime.js';

const swarms = new Map<string, ContainerRuntime>();

export function runtimeFor(t: Pick<Topology, 'engine' | 'project' | 'network' | 'swarm' | 'etcd' | 'consul' | 'registration'>): ContainerRuntime {
  if (t.engine !== 'swarm') return getRuntime();
  let rt = swarms.get(t.project);
  if (!rt) swarms.set(t.project, (rt = sayWhenDockerIsGone(new SwarmRuntime(new Docker(), t))));
  return rt;
}
