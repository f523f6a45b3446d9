// Turns one InstanceSpec into the container the lab wants, with a config hash (as docker compose
// does) so that `up` recreates only what changed.
import { createHash } from 'node:crypto';
import { experimental } from '@grpc/grpc-js';
import type { InstanceSpec, Topology } from '../topology/index.js';
import { goDuration } from '../util/duration.js';
import type { ContainerSpec } from './runtime/container-runtime.js';
import { ECHO_NODE_FLAGS } from './images/recipe-echo.js';
import { LABEL } from './labels.js';

export const containerName = (project: string, instance: string) => `${project}-${instance}`;

/** What each echo server is told about itself and its registries. */
function echoEnv(t: Topology, inst: InstanceSpec): Record<string, string> {
  const port = String(experimental.splitHostPort(inst.clusterAddress)?.port ?? '');
  // On a swarm an echo registers by its own address in the overlay ({ip}, filled in as it starts):
  // what clients there dial, and what still reaches it after a partition heals.
  const own = (address: string) => (t.engine === 'swarm' ? address.replace(/^[^:]+/, '{ip}') : address);
  return {
    LAB_ID: inst.name,
    LAB_SERVICE: inst.service,
    LAB_PORT: port,
    ...(inst.linkPort ? { LAB_LINK_PORT: String(inst.linkPort) } : {}),
    LAB_HOST_ADDRESS: own(inst.hostAddress),
    LAB_CLUSTER_ADDRESS: own(inst.clusterAddress),
    LAB_WEIGHT: String(inst.weight),
    LAB_ZONE: inst.zone,
    LAB_ETCD: t.etcd.clusterAddress,
    LAB_ETCD_PREFIX: t.registration.etcdPrefix,
    LAB_LEASE_TTL: String(Math.max(1, Math.round(t.registration.leaseTtlMs / 1000))),
    LAB_CONSUL: t.consul.clusterAddress,
    LAB_CHECK_INTERVAL: goDuration(t.registration.checkIntervalMs),
    LAB_DEREGISTER_AFTER: goDuration(t.registration.deregisterAfterMs),
    ...(t.echoServer.maxConnectionAgeMs ? { LAB_MAX_CONNECTION_AGE_MS: String(t.echoServer.maxConnectionAgeMs) } : {}),
  };
}

/** What a server's sidecar is told: the echo's identity and registries, its server's port, its probe. */
function sidecarEnv(t: Topology, inst: InstanceSpec): Record<string, string> {
  const sc = inst.sidecar!;
  // It speaks for its server: registered under the server's name, at the server's addresses.
  const { LAB_LINK_PORT: _, ...shared } = echoEnv(t, { ...inst, name: sc.of });
  return {
    ...shared,
    LAB_PORT: String(sc.serverPort + 1),
    LAB_SERVER_PORT: String(sc.serverPort),
    LAB_CONTROL_PORT: String(sc.serverPort + 2),
    LAB_HEALTH: sc.health,
    LAB_PROBE_INTERVAL_MS: String(sc.probeIntervalMs),
    LAB_PROBE_BOUND_MS: String(sc.probeBoundMs),
  };
}

/** Its names on the lab network. Echo servers also answer to their service's name ("echo"): HAProxy finds them all by it. */
export const aliasesOf = (inst: Pick<InstanceSpec, 'role' | 'name' | 'service' | 'sidecar'>) =>
  inst.role === 'echo' ? [inst.name, inst.service] : inst.sidecar ? [inst.sidecar.of, inst.service] : [inst.name];

export function planContainer(t: Topology, inst: InstanceSpec, image: string, session: string): ContainerSpec {
  const env = { HOME: '/tmp', ...inst.env, ...(inst.role === 'echo' ? echoEnv(t, inst) : inst.sidecar ? sidecarEnv(t, inst) : {}) };
  const spec: ContainerSpec = {
    name: containerName(t.project, inst.name),
    hostname: inst.sidecar?.of ?? inst.name,
    image,
    entrypoint: inst.sidecar ? ['/usr/bin/node', ...ECHO_NODE_FLAGS, '/app/lib/echo/sidecar.cjs'] : inst.entrypoint,
    command: inst.command,
    env,
    labels: {
      [LABEL.project]: t.project,
      [LABEL.session]: session,
      [LABEL.service]: inst.service,
      [LABEL.instance]: inst.name,
      [LABEL.role]: inst.role,
      [LABEL.hostAddress]: inst.hostAddress,
    },
    ports: inst.ports,
    network: t.network,
    aliases: aliasesOf(inst),
    init: true,
    // Least privilege: nobody, read-only root, all capabilities dropped; scratch space in tmpfs.
    user: '65534:65534',
    readOnlyRootfs: true,
    tmpfs: { '/tmp': 'rw,nosuid,nodev,mode=1777,size=256m' },
    volumes: inst.volumes,
    // Where it may run on a swarm: an echo with a zone on the nodes labelled lab.zone=<zone>.
    ...(t.engine === 'swarm' && inst.zone && inst.role === 'echo' ? { zone: inst.zone } : {}),
  };
  if (inst.joins) {
    // A server of yours: its image as it is (its own user, a writable root), in its sidecar's network namespace.
    spec.joins = containerName(t.project, inst.joins);
    spec.env = { ...inst.env };
    spec.user = undefined;
    spec.readOnlyRootfs = false;
    spec.tmpfs = {};
    spec.aliases = [];
  }
  spec.labels[LABEL.configHash] = configHash(spec);
  return spec;
}

/** Hash of everything that shapes the container except the session (which survives reconciles). */
export function configHash(spec: ContainerSpec): string {
  const { labels, ...rest } = spec;
  const stable = {
    ...rest,
    labels: Object.fromEntries(
      Object.entries(labels)
        .filter(([k]) => k !== LABEL.session && k !== LABEL.configHash)
        .sort(),
    ),
  };
  return createHash('sha256').update(JSON.stringify(stable)).digest('hex').slice(0, 16);
}
