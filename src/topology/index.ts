// topology: what the rest of the lab may use of it.
export { type TopologyOverrides, isLoopback, loadTopology, topologySource } from './load.js';
export { type Role } from './schema.js';
export { GATEWAY_ALIAS } from './swarm.js';
export { callProblem, isBackend, sandboxTargetProblem, serverNames } from './targets.js';
export { type ImageSpec, type InstanceSpec, type PortSpec, type RecipeKind, type Topology } from './types.js';
