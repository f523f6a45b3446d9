// `lab status`: every service's container state, addresses, registry state and health, derived
// from Docker, etcd, Consul and the servers themselves at the moment of asking.
import { checkHealth } from '../grpc/index.js';
import type { Topology } from '../topology/index.js';
import { LABEL, projectSelector } from './labels.js';
import { findNetwork } from './network.js';
import { etcdKeyOf } from './readiness.js';
import { consulInstances, type ConsulInstance } from './registry/consul-reader.js';
import { EtcdReader, type EtcdEntry } from './registry/etcd-reader.js';
import { PING_TIMEOUT_MS, reachFor, type ContainerRuntime, type Reach } from './runtime/container-runtime.js';

export interface ServiceStatus {
  name: string;
  role: string;
  container: string;
  containerId?: string;
  /** On a swarm: the node it runs on. */
  node?: string;
  hostAddress: string;
  clusterAddress: string;
  /** SERVING / NOT_SERVING for echo, healthy / unhealthy for etcd and Consul, or why it is unknown. */
  health: string;
  etcd?: { registered: boolean; key: string; lease?: string; ttl?: number };
  consul?: { registered: boolean; check?: string };
  weight: number;
  zone: string;
}

export interface StatusReport {
  project: string;
  topology: string;
  network?: string;
  session?: string;
  services: ServiceStatus[];
  /** Labelled containers the topology does not know (left by an older `up --echo N`, or by hand). */
  extra: string[];
  errors: string[];
}

async function httpOk(url: string, accept: (b: string) => boolean): Promise<string> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(800) });
    return r.ok && accept(await r.text()) ? 'healthy' : `unhealthy (HTTP ${r.status})`;
  } catch (err) {
    return `unreachable (${(err as Error).name === 'TimeoutError' ? 'timeout' : ((err as { cause?: { code?: string } }).cause?.code ?? 'error')})`;
  }
}

export async function status(rt: ContainerRuntime, t: Topology, opts: { reach?: Reach } = {}): Promise<StatusReport> {
  const reach = reachFor(rt, opts.reach);
  await rt.ping(PING_TIMEOUT_MS);
  const errors: string[] = [];
  const [containers, net] = await Promise.all([rt.listContainers(projectSelector(t.project)), findNetwork(rt, t.project, t.network)]);
  const byInstance = new Map(containers.map((c) => [c.labels[LABEL.instance] ?? c.name, c]));
  // Echo servers and servers of yours register in Consul, each under its service.
  const backendServices = [...new Set(t.instances.filter((i) => i.role === 'echo' || i.role === 'server').map((i) => i.service))];

  // A registry that is not running has nothing to say; one that runs and does not answer is news.
  const runs = (role: string) => t.instances.some((i) => i.role === role && byInstance.get(i.name)?.state === 'running');
  const [etcd, consul] = await Promise.all([
    withEtcd(reach(t.etcd.hostAddress), (r) => r.entries(`${t.registration.etcdPrefix.replace(/\/$/, '')}/`)).catch((err: Error) => {
      if (runs('etcd')) errors.push(`etcd at ${t.etcd.hostAddress}: ${plainGrpcMessage(err.message)}`);
      return undefined as EtcdEntry[] | undefined;
    }),
    Promise.all(backendServices.map((svc) => consulInstances(reach(t.consul.hostAddress), svc)))
      .then((lists) => lists.flat())
      .catch((err: Error) => {
        if (runs('consul')) errors.push(`Consul at ${t.consul.hostAddress}: ${err.message}`);
        return undefined as ConsulInstance[] | undefined;
      }),
  ]);

  const services = await Promise.all(
    t.instances.map(async (inst): Promise<ServiceStatus> => {
      const c = byInstance.get(inst.name);
      const running = c?.state === 'running';
      let health: string;
      if (!c) health = 'absent';
      else if (!running) health = c.state;
      else if (inst.role === 'etcd') health = await httpOk(`http://${reach(inst.hostAddress)}/health`, (b) => b.includes('true'));
      else if (inst.role === 'consul') health = await httpOk(`http://${reach(inst.hostAddress)}/v1/status/leader`, (b) => b.replace(/"/g, '').trim() !== '');
      // A server of yours: what its sidecar's probe found (SERVING while it answers); the sidecar itself: its container.
      else if (inst.role === 'server') health = await checkHealth(reach(inst.controlAddress), 800);
      else if (inst.role === 'sidecar') health = c.state;
      else health = await checkHealth(reach(inst.hostAddress), 800);
      const s: ServiceStatus = {
        name: inst.name,
        role: inst.role,
        container: c?.state ?? 'absent',
        containerId: c?.id.slice(0, 12),
        ...(c?.node ? { node: c.node } : {}),
        hostAddress: inst.hostAddress,
        clusterAddress: inst.clusterAddress,
        health,
        weight: inst.weight,
        zone: inst.zone,
      };
      if (inst.role === 'echo' || inst.role === 'server') {
        const key = etcdKeyOf(t, inst);
        const e = etcd?.find((x) => x.key === key);
        s.etcd = { registered: !!e, key, lease: e?.lease, ttl: e?.ttl };
        const ci = consul?.find((x) => x.id === inst.name);
        s.consul = { registered: !!ci, check: ci?.checks[0]?.status };
      }
      return s;
    }),
  );
  const known = new Set(t.instances.map((i) => i.name));
  return {
    project: t.project,
    topology: t.file,
    network: net?.name,
    session: net?.labels[LABEL.session],
    services,
    extra: [...byInstance.keys()].filter((n) => !known.has(n)),
    errors,
  };
}

/** Reads etcd through a reader that lives as long as the read. */
async function withEtcd<T>(hosts: string, read: (r: EtcdReader) => Promise<T>): Promise<T> {
  const reader = new EtcdReader(hosts, 800);
  try {
    return await read(reader);
  } finally {
    reader.close();
  }
}

/** grpc-js's message without its empty trailers ("Resolution note: " with nothing after it). */
function plainGrpcMessage(m: string): string {
  return m.replace(/\.?\s*Resolution note:\s*$/, '').trim();
}
