// The sandbox's public surface: up, down, status, on a container runtime.
export { up, type UpResult, type UpInstance, type UpOptions } from './up.js';
export { down, type DownResult } from './down.js';
export { status, type StatusReport, type ServiceStatus } from './status.js';
export { getRuntime } from './runtime/docker-runtime.js';
export type { ContainerRuntime } from './runtime/container-runtime.js';
export type { SandboxEvent, SandboxListener } from './events.js';
export { LABEL, projectSelector } from './labels.js';
