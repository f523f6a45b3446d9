// The one interface the lab uses to talk to a container engine: this machine's Docker engine
// (docker-runtime.ts), or the Docker Swarm it manages (swarm/swarm-runtime.ts). Both through
// dockerode; no dockerode type leaks past them. Container verbs only, split by resource as
// testcontainers splits its client: images, containers, networks. How this process dials into the
// sandbox and where traffic clients run are the engine's (src/engine), above both.
import type { Readable } from 'node:stream';

/**
 * The address this process dials for an address of the sandbox (host:port, or a comma list): the
 * same address on one engine; on a swarm, a local forwarder into its overlay. Synchronous.
 */
export type Reach = (address: string) => string;

/** One engine's reach: every address is published on this machine's loopback. */
export const sameAddress: Reach = (address) => address;

export interface PortBinding {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

export interface ContainerSpec {
  name: string;
  hostname: string;
  image: string;
  entrypoint?: string[];
  command?: string[];
  env: Record<string, string>;
  labels: Record<string, string>;
  ports: PortBinding[];
  network: string;
  aliases: string[];
  init: boolean;
  user?: string;
  readOnlyRootfs: boolean;
  tmpfs: Record<string, string>;
  /** Container paths that get an anonymous volume: kept across restarts, removed with the container. */
  volumes: string[];
  memoryBytes?: number;
  /** On a swarm: run on a node labelled lab.zone=<zone> (one engine ignores it). */
  zone?: string;
  /**
   * The container (by name) whose network namespace this one joins, as a pod's containers join its
   * pause container: then it has no network, hostname, aliases or ports of its own.
   */
  joins?: string;
}

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerInfo {
  id: string;
  name: string;
  state: ContainerState;
  status: string;
  labels: Record<string, string>;
  /** On a swarm: the node it runs on (its hostname). */
  node?: string;
}

export interface NetworkInfo {
  id: string;
  name: string;
  labels: Record<string, string>;
}

export interface ImageVerbs {
  /** The image's id when `ref` is present locally. */
  imageId(ref: string): Promise<string | undefined>;
  pullImage(ref: string, onProgress?: (line: string) => void): Promise<void>;
  /** `docker import` of a root filesystem tar stream, tagged `ref`, with Dockerfile-style changes. */
  importImage(tar: Readable, ref: string, changes: string[]): Promise<void>;
}

export interface ContainerVerbs {
  listContainers(labels: Record<string, string>): Promise<ContainerInfo[]>;
  createContainer(spec: ContainerSpec): Promise<string>;
  startContainer(id: string): Promise<void>;
  removeContainer(id: string): Promise<void>;
  killContainer(id: string, signal?: string): Promise<void>;
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  pauseContainer(id: string): Promise<void>;
  unpauseContainer(id: string): Promise<void>;
  /** State, exit code and the container's IP on `network`. */
  inspectContainer(id: string): Promise<{ state: ContainerState; exitCode: number; ip?: string; startedAt: string }>;
  /** The last `lines` lines of stdout and stderr, interleaved. */
  logs(id: string, lines: number): Promise<string>;
  /** Resident memory of the container's processes, in bytes. */
  memoryUsage(id: string): Promise<number>;
}

export interface NetworkVerbs {
  /** Cuts a container off a network (a partition), or joins it again under its aliases. */
  disconnectNetwork(containerId: string, network: string): Promise<void>;
  connectNetwork(containerId: string, network: string, aliases: string[]): Promise<void>;
  listNetworks(labels: Record<string, string>): Promise<NetworkInfo[]>;
  createNetwork(name: string, labels: Record<string, string>): Promise<string>;
  removeNetwork(id: string): Promise<void>;
}

export interface ContainerRuntime extends ImageVerbs, ContainerVerbs, NetworkVerbs {
  readonly engine: 'docker' | 'swarm';
  /** Resolves when the engine answers (and, on a swarm, this engine manages one); rejects within `timeoutMs` otherwise. */
  ping(timeoutMs: number): Promise<void>;
}

/** How long the lab waits for the engine's first answer before saying it is not running. */
export const PING_TIMEOUT_MS = 1000;

/** The caller's reach, or one engine's; a swarm's without its engine's reach is the lab's own mistake. */
export function reachFor(rt: ContainerRuntime, reach: Reach | undefined): Reach {
  if (reach) return reach;
  if (rt.engine === 'swarm') throw new Error('a swarm sandbox was given no reach: pass the engine’s (src/engine)');
  return sameAddress;
}
