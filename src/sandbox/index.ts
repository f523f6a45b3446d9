// The sandbox's public surface: up, down, status on a container runtime, and the readers of its
// registries. Callers outside src/sandbox import from here only.
export { up, type UpResult, type UpInstance, type UpOptions } from './up.js';
export { down, type DownResult } from './down.js';
export { status, type StatusReport, type ServiceStatus } from './status.js';
export { getRuntime } from './runtime/docker-runtime.js';
export { runtimeFor } from './runtime/runtime-for.js';
export type { ContainerRuntime, ContainerInfo, ContainerSpec, ContainerState } from './runtime/container-runtime.js';
export type { SandboxEvent, SandboxListener, InstanceAction } from './events.js';
export { LABEL, projectSelector } from './labels.js';
export { aliasesOf } from './container-plan.js';
export { etcdKeyOf } from './readiness.js';
export { runningShape, type RunningShape } from './shape.js';
export { EtcdReader, findEtcdLeader, type EtcdEntry } from './registry/etcd-reader.js';
export { consulInstances, type ConsulInstance } from './registry/consul-reader.js';
export { PING_TIMEOUT_MS } from './runtime/container-runtime.js';
export { bindProblem } from './ports.js';
export { getRecipe, resolveImage, echoBundleDir } from './images/index.js';
export { expandedCompose } from './compose-export.js';
export { claimSandbox, sweepIfOrphaned, sweptLine, forgetIfOrphaned, eventsFileFor } from './owner.js';
export { checkOneEngine, engineOfSandbox, type EngineName } from './engine-check.js';
