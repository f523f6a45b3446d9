// The lab's resolved topology: what `up` builds, derived from compose/lab.yaml plus CLI overrides.
import type { Role } from './schema.js';

/** A role's image recipe, or the lab's agent (a swarm's clients and gateway). */
export type RecipeKind = Role | 'agent';

export interface PortSpec {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

/** How to get an image: use `ref` when present locally; pull when asked; else assemble a recipe. */
export interface ImageSpec {
  ref: string;
  assemble?: RecipeKind;
  /** A server's host executable (x-lab.binary): the image is assembled from it, tagged by content in `ref`'s repository. */
  binary?: string;
  pull: boolean;
}

/** One container the lab runs. */
export interface InstanceSpec {
  /** Container-level name inside the lab: etcd, consul, echo-1, ... (also its network alias). */
  name: string;
  service: string;
  role: Role;
  /** Replica number from 1 for replicated services, 0 otherwise. */
  index: number;
  image: ImageSpec;
  entrypoint?: string[];
  command?: string[];
  env: Record<string, string>;
  ports: PortSpec[];
  /** Anonymous volumes (container paths): data that survives a restart of the container. */
  volumes: string[];
  /** The loopback address host clients dial for this instance's main port, e.g. 127.77.1.2:50051. */
  hostAddress: string;
  /**
   * Where the lab's own control calls go. For an echo behind a link proxy: its direct port on the
   * same loopback address (127.77.1.2:50052), so a link fault never cuts the lab off its knobs.
   */
  controlAddress: string;
  /** Echo only: the port of the link proxy inside the container (0 = no proxy). */
  linkPort: number;
  /** The address in-network consumers dial, e.g. echo-2:50051. */
  clusterAddress: string;
  weight: number;
  zone: string;
  /** A server's container: the name of its sidecar's instance, whose network namespace it joins. */
  joins?: string;
  /** A server's: one round of its sidecar's probe (interval + bound), in ms. */
  sidecarProbeMs?: number;
  /** A sidecar: the server instance it stands beside, that server's port, and how it probes it. */
  sidecar?: { of: string; serverPort: number; health: 'grpc' | 'tcp'; probeIntervalMs: number; probeBoundMs: number };
}

export interface Topology {
  file: string;
  project: string;
  /** This machine's Docker engine, or the swarm it manages (then every address is in the overlay). */
  engine: 'docker' | 'swarm';
  /** With engine swarm: the overlay's subnet, and the nodes' Docker APIs (hostname -> endpoint). */
  swarm?: { subnet: string; nodes: Record<string, string> };
  network: string;
  pull: boolean;
  registration: { etcdPrefix: string; leaseTtlMs: number; checkIntervalMs: number; deregisterAfterMs: number };
  /** How the echo servers' gRPC servers are set up: max_connection_age (gRFC A9), off when unset. */
  echoServer: { maxConnectionAgeMs?: number };
  instances: InstanceSpec[];
  /** Host addresses of the lab's registries, for host-side clients (status, resolvers). */
  etcd: { hostAddress: string; clusterAddress: string };
  consul: { hostAddress: string; clusterAddress: string; dnsHostAddress?: string };
  /** Where the lab's gRPC router listens (lab router; a scenario's {router} target). */
  router: string;
  /** Who runs the router a scenario's {router} dials: the playing lab process, or the sandbox (a swarm's gateway). */
  routerRunsIn: 'lab' | 'sandbox';
  /** HAProxy's two frontends on loopback, when the proxy runs: L4 (tcp) and L7 (HTTP/2). */
  proxy?: { l4: string; l7: string; balance: string };
  /** The xDS control plane, when it runs: where clients reach it (host and cluster), and its registry. */
  xds?: { hostAddress: string; clusterAddress: string; source: 'consul' | 'etcd' };
}
