// The one interface the lab uses to talk to a container engine: this machine's Docker engine
// (docker-runtime.ts), or the Docker Swarm it manages (swarm/swarm-runtime.ts). Both through
// dockerode; no dockerode type leaks past them. Up, actions and scenarios see only this.
import type { Readable } from 'node:stream';
import type { ClientSetOptions, TrafficClients } from '../../traffic/index.js';

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

export interface ContainerRuntime {
  readonly engine: 'docker' | 'swarm';
  /** Resolves when the engine answers (and, on a swarm, this engine manages one); rejects within `timeoutMs` otherwise. */
  ping(timeoutMs: number): Promise<void>;
  /**
   * The address this process dials for `address`, an address of the sandbox (host:port, or a comma
   * list): the same address on one engine; on a swarm, a local forwarder into its overlay. Synchronous.
   */
  reach(address: string): string;
  /** Traffic clients that run in the sandbox (a swarm's agents, inside its overlay); absent: they run in this process. */
  trafficClients?(opts: ClientSetOptions): TrafficClients;
  /** Closes what the runtime keeps open (forwarders, agents' streams); it can be used again after. */
  close(): void;
  /** The image's id when `ref` is present locally. */
  imageId(ref: string): Promise<string | undefined>;
  pullImage(ref: string, onProgress?: (line: string) => void): Promise<void>;
  /** `docker import` of a root filesystem tar stream, tagged `ref`, with Dockerfile-style changes. */
  importImage(tar: Readable, ref: string, changes: string[]): Promise<void>;

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

  /** Cuts a container off a network (a partition), or joins it again under its aliases. */
  disconnectNetwork(containerId: string, network: string): Promise<void>;
  connectNetwork(containerId: string, network: string, aliases: string[]): Promise<void>;

  listNetworks(labels: Record<string, string>): Promise<NetworkInfo[]>;
  createNetwork(name: string, labels: Record<string, string>): Promise<string>;
  removeNetwork(id: string): Promise<void>;
}

/** How long the lab waits for the engine's first answer before saying it is not running. */
export const PING_TIMEOUT_MS = 1000;
