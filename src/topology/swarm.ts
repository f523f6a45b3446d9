// The same topology on a swarm: nothing is published (a stack cannot publish on loopback only), so
// every address becomes the service's own name and port inside the lab's overlay network: what was
// 127.77.1.2:50051 through the link proxy is echo-2:50052 there. Agents (the traffic clients) and
// the lab's own calls (through the swarm's gateway) dial those names.
import type { InstanceSpec, Topology } from './types.js';

/** The swarm's gateway container answers to this name in the overlay, and runs the router there. */
export const GATEWAY_ALIAS = 'gateway';
export const GATEWAY_ROUTER_PORT = 50070;

/** A host address of `inst` as its name and container port ("127.77.1.2:50051" -> "echo-2:50052"). */
function inOverlay(inst: InstanceSpec, hostAddress: string): string {
  const i = hostAddress.lastIndexOf(':');
  const ip = hostAddress.slice(0, i);
  const port = Number(hostAddress.slice(i + 1));
  const mapped = inst.ports.find((p) => p.hostIp === ip && p.hostPort === port && p.protocol === 'tcp');
  return `${inst.name}:${mapped?.containerPort ?? port}`;
}

/** Rewrites a one-engine topology's addresses for a swarm (pure: returns a new topology). */
export function onSwarm(t: Topology, swarm: { subnet: string; nodes: Record<string, string> }): Topology {
  const byName = new Map(t.instances.map((i) => [i.name, i]));
  const owner = (address: string) => t.instances.find((i) => i.ports.some((p) => `${p.hostIp}:${p.hostPort}` === address));
  const map = (address: string) => {
    const inst = owner(address);
    return inst ? inOverlay(inst, address) : address;
  };
  const instances = t.instances.map((inst) => ({
    ...inst,
    hostAddress: inOverlay(inst, inst.hostAddress),
    controlAddress: inOverlay(inst, inst.controlAddress),
    ports: [],
  }));
  const etcds = instances.filter((i) => i.role === 'etcd');
  const consul = byName.get(instances.find((i) => i.role === 'consul')!.name)!;
  const dns = consul.ports.find((p) => p.containerPort === 8600 && p.protocol === 'tcp');
  return {
    ...t,
    engine: 'swarm',
    swarm,
    instances,
    etcd: { hostAddress: etcds.map((e) => e.hostAddress).join(','), clusterAddress: t.etcd.clusterAddress },
    consul: {
      hostAddress: map(t.consul.hostAddress),
      clusterAddress: t.consul.clusterAddress,
      dnsHostAddress: dns ? `${consul.name}:${dns.containerPort}` : undefined,
    },
    proxy: t.proxy ? { ...t.proxy, l4: map(t.proxy.l4), l7: map(t.proxy.l7) } : undefined,
    xds: t.xds ? { ...t.xds, hostAddress: map(t.xds.hostAddress) } : undefined,
    router: `${GATEWAY_ALIAS}:${GATEWAY_ROUTER_PORT}`,
    routerRunsIn: 'sandbox',
  };
}
