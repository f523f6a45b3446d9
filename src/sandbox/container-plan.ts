// Turns one InstanceSpec into the container the lab wants, with a config hash (as docker compose
// does) so that `up` recreates only what changed.
import { createHash } from 'node:crypto';
import { experimental } from '@grpc/grpc-js';
import type { InstanceSpec, Topology } from '../topology/index.js';
import { goDuration } from '../util/duration.js';
import type { ContainerSpec } from './runtime/container-runtime.js';
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

/** Its names on the lab network. Echo servers also answer to their service's name ("echo"): HAProxy finds them all by it. */
export const aliasesOf = (inst: Pick<InstanceSpec, 'role' | 'name' | 'service'>) => (inst.role === 'echo' ? [inst.name, inst.service] : [inst.name]);

export function planContainer(t: Topology, inst: InstanceSpec, image: string, session: string): ContainerSpec {
  const env = { HOME: '/tmp', ...inst.env, ...(inst.role === 'echo' ? echoEnv(t, inst) : {}) };
  const spec: ContainerSpec = {
    name: containerName(t.project, inst.name),
    hostname: inst.name,
    image,
    entrypoint: inst.entrypoint,
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
