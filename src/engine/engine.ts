// Where the engine a topology names is put together, once per process (testcontainers'
// getContainerRuntimeClient(): one place decides): its container runtime (container verbs only),
// how this process dials into the sandbox (reach), and where traffic clients run. On one Docker
// engine: every address as it is, clients in this process. On a swarm: swarm.ts.
import { getRuntime, sameAddress, type ContainerRuntime, type Reach } from '../sandbox/index.js';
import type { Topology } from '../topology/index.js';
import { ClientSet, type ClientSetOptions, type TrafficClients } from '../traffic/index.js';
import { swarmEngine } from './swarm.js';

export interface Engine {
  readonly runtime: ContainerRuntime;
  /** The address this process dials for one of the sandbox's. */
  readonly reach: Reach;
  /** Traffic clients where the sandbox's backends can be dialled: in this process, or as a swarm's agents in its overlay. */
  clients(opts: ClientSetOptions): TrafficClients;
  /** Closes what the engine keeps open (a swarm's forwarders); it can be used again after. */
  close(): void;
}

export type EngineTopology = Pick<Topology, 'engine' | 'project' | 'network' | 'swarm' | 'etcd' | 'consul' | 'registration'>;

/** This machine's Docker engine, or `runtime` (a test's, a bench's) as one engine. */
export const localEngine = (runtime: ContainerRuntime = getRuntime()): Engine => ({
  runtime,
  reach: sameAddress,
  clients: (opts) => new ClientSet(opts),
  close: () => undefined,
});

const swarms = new Map<string, Engine>();

/** Closes every engine this process made (a swarm's forwarders): the CLI, once its command has ended. */
export function closeEngines(): void {
  for (const e of swarms.values()) e.close();
  swarms.clear();
}

/** The engine `t` names, made once per project. */
export function engineFor(t: EngineTopology): Engine {
  if (t.engine !== 'swarm') return localEngine();
  let e = swarms.get(t.project);
  if (!e) swarms.set(t.project, (e = swarmEngine(t)));
  return e;
}
