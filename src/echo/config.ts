// The echo server's settings, read from its environment (the sandbox sets these per container).
import { networkInterfaces } from 'node:os';

export interface EchoConfig {
  id: string;
  /** Port the server listens on inside its container (all interfaces of the container's netns). */
  port: number;
  bind: string;
  /** Port of the link proxy in front of the server (host clients come through it); 0 = none. */
  linkPort: number;
  /** Address host clients dial (a loopback address published by Docker). */
  hostAddress: string;
  /** Address in-network consumers dial (container name on the lab network). */
  clusterAddress: string;
  weight: number;
  zone: string;
  service: string;
  etcd?: { endpoints: string[]; prefix: string; leaseTtlSeconds: number };
  consul?: { url: string; checkInterval: string; deregisterAfter: string };
  protoDir: string;
  /** grpc-js's grpc.max_connection_age_ms (gRFC A9): each connection is sent a GOAWAY after this long; 0: never. */
  maxConnectionAgeMs: number;
}

function num(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`${key}=${raw} is not a number`);
  return n;
}

/** This container's own IPv4 (the first non-internal one): on a swarm, its address in the overlay. */
export function ownIpv4(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

/** "{ip}:50052" -> "10.214.0.7:50052": on a swarm an echo registers by its address in the overlay. */
const withOwnIp = (address: string) => (address.includes('{ip}') ? address.replace('{ip}', ownIpv4() ?? '127.0.0.1') : address);

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): EchoConfig {
  const port = num(env, 'LAB_PORT', 50051);
  const id = env.LAB_ID ?? `echo-${process.pid}`;
  const etcdEndpoints = env.LAB_ETCD?.split(',').filter(Boolean) ?? [];
  return {
    id,
    maxConnectionAgeMs: num(env, 'LAB_MAX_CONNECTION_AGE_MS', 0),
    port,
    bind: env.LAB_BIND ?? '0.0.0.0',
    linkPort: num(env, 'LAB_LINK_PORT', 0),
    hostAddress: withOwnIp(env.LAB_HOST_ADDRESS ?? `127.0.0.1:${port}`),
    clusterAddress: withOwnIp(env.LAB_CLUSTER_ADDRESS ?? `${id}:${port}`),
    weight: num(env, 'LAB_WEIGHT', 1),
    zone: env.LAB_ZONE ?? '',
    service: env.LAB_SERVICE ?? 'echo',
    etcd: etcdEndpoints.length
      ? {
          endpoints: etcdEndpoints.map((e) => (e.includes('://') ? e : `http://${e}`)),
          prefix: env.LAB_ETCD_PREFIX ?? '/lab/services',
          leaseTtlSeconds: num(env, 'LAB_LEASE_TTL', 5),
        }
      : undefined,
    consul: env.LAB_CONSUL
      ? {
          url: env.LAB_CONSUL.includes('://') ? env.LAB_CONSUL : `http://${env.LAB_CONSUL}`,
          checkInterval: env.LAB_CHECK_INTERVAL ?? '1s',
          deregisterAfter: env.LAB_DEREGISTER_AFTER ?? '1m',
        }
      : undefined,
    protoDir: env.LAB_PROTO_DIR ?? 'protos',
  };
}
