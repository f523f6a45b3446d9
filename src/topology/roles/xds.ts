// The lab's xDS control plane (lab/xds), when the file has it and it is enabled or asked for
// (lab up --xds, a scenario's sandbox.xds): one gRPC port (ADS, LRS, XdsControl, health) on its own
// loopback address; it reads the registry inside the lab network.
import type { TopologyContext } from '../context.js';
import { instance } from '../instance.js';
import type { InstanceSpec, Topology } from '../types.js';

export function xdsInstance(ctx: TopologyContext, registries: InstanceSpec[]): { inst: InstanceSpec; xds: NonNullable<Topology['xds']> } | undefined {
  const entry = ctx.role('xds');
  if (!entry || !(ctx.overrides.xds ?? entry[1]['x-lab'].enabled ?? false)) return undefined;
  const [name, svc] = entry;
  const [main] = ctx.ports(name, svc).filter((p) => p.protocol === 'tcp');
  if (!main)
    throw ctx.fail(
      ['services', name, 'ports'],
      `services.${name}.ports: the xDS control plane publishes one tcp port on a loopback address, e.g. ["127.77.0.6:18000:18000"]`,
    );
  const inst = instance({
    name,
    svc,
    role: 'xds',
    index: 0,
    pull: ctx.pull,
    ports: [main],
    hostAddress: `${main.hostIp}:${main.hostPort}`,
    clusterAddress: `${name}:${main.containerPort}`,
  });
  const source = svc['x-lab'].source ?? 'consul';
  const [echoName] = ctx.role('echo')!;
  const etcd = registries.filter((i) => i.role === 'etcd').map((i) => i.clusterAddress);
  const consul = registries.find((i) => i.role === 'consul')!;
  inst.env = {
    ...inst.env,
    LAB_XDS_PORT: String(main.containerPort),
    LAB_SERVICE: echoName,
    LAB_SOURCE: source,
    LAB_CONSUL: consul.clusterAddress,
    LAB_ETCD: etcd.join(','),
    LAB_ETCD_PREFIX: ctx.value['x-lab'].registration['etcd-prefix'],
  };
  return { inst, xds: { hostAddress: inst.hostAddress, clusterAddress: inst.clusterAddress, source } };
}
