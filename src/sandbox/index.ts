// The sandbox's public surface: up, down, status on a container runtime, and the readers of its
// registries. Callers outside src/sandbox import from here only.
export { up, type UpResult, type UpInstance, type UpOptions } from './up.js';
export { down, type DownResult } from './down.js';
export { status, type StatusReport, type ServiceStatus } from './status.js';
export { getRuntime, sayWhenDockerIsGone } from './runtime/docker-runtime.js';
export { sameAddress, type ContainerRuntime, type ContainerInfo, type ContainerSpec, type ContainerState, type Reach } from './runtime/container-runtime.js';
export { HELPER_HOST_CONFIG, HELPER_USER } from './runtime/least-privilege.js';
export { SwarmRuntime } from './swarm/swarm-runtime.js';
export { Gateway } from './swarm/gateway.js';
export type { SandboxEvent, SandboxListener, InstanceAction } from './events.js';
export { LABEL, projectSelector } from './labels.js';
export { aliasesOf } from './container-plan.js';
export { etcdKeyOf } from './readiness.js';
export { runningShape, type RunningShape } from './shape.js';
export { EtcdReader, findEtcdLeader, type EtcdEntry } from './registry/etcd-reader.js';
export { consulInstances, type ConsulInstance } from './registry/consul-reader.js';
export { PING_TIMEOUT_MS } from './runtime/container-runtime.js';
export { bindProblem } from './ports.js';
export { binaryRecipe, getRecipe, resolveImage, echoBundleDir } from './images/index.js';
export { expandedCompose } from './compose-export.js';
export { claimSandbox, sweepIfOrphaned, sweptLine, forgetIfOrphaned, eventsFileFor } from './owner.js';
export { checkOneEngine, engineOfSandbox, type EngineName } from './engine-check.js';
export { setup } from './images/index.js';
