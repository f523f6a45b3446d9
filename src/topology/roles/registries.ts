// etcd (one member, or a cluster of 3 or 5 with the member flags the lab sets) and Consul.
import type { TopologyContext } from '../context.js';
import { ETCD_KEEPALIVE_FLAG } from '../../util/etcd-keepalive.js';
import { instance, isLoopback } from '../instance.js';
import type { ServiceFile } from '../schema.js';
import type { InstanceSpec, PortSpec } from '../types.js';

export function registryInstances(ctx: TopologyContext): InstanceSpec[] {
  const out: InstanceSpec[] = [];
  for (const role of ['etcd', 'consul'] as const) {
    const [name, svc] = ctx.role(role)!;
    const ps = ctx.ports(name, svc);
    const main = ps.find((p) => p.protocol === 'tcp');
    if (!main) throw ctx.fail(['services', name], `services.${name}: needs a published tcp port on a loopback address, e.g. "127.77.0.2:2379:2379"`);
    const members = role === 'etcd' ? (ctx.overrides.etcd ?? svc['x-lab'].members ?? 1) : 1;
    if (members > 1) out.push(...etcdMembers(name, svc, members, ctx.pull, main, (msg) => ctx.fail(['services', name, 'x-lab', 'address'], msg)));
    else
      out.push(
        instance({
          name,
          svc,
          role,
          index: 0,
          pull: ctx.pull,
          ports: ps,
          hostAddress: `${main.hostIp}:${main.hostPort}`,
          clusterAddress: `${name}:${main.containerPort}`,
        }),
      );
  }
  for (const inst of out) if (inst.role === 'etcd') inst.command = withKeepaliveFloor(inst.command);
  return out;
}

/** The lab's etcd clients ping every second (util/etcd-keepalive.ts); etcd would refuse that below its 5 s default. */
function withKeepaliveFloor(command: string[] | undefined): string[] | undefined {
  if (!command || command.some((a) => a === ETCD_KEEPALIVE_FLAG || a.startsWith(`${ETCD_KEEPALIVE_FLAG}=`))) return command;
  return [...command, `${ETCD_KEEPALIVE_FLAG}=500ms`];
}

/** Flags the lab sets on each member of an etcd cluster (replacing any in the service's command). */
const MEMBER_FLAGS = [
  'name',
  'listen-peer-urls',
  'initial-advertise-peer-urls',
  'initial-cluster',
  'initial-cluster-state',
  'initial-cluster-token',
  'advertise-client-urls',
];

/** etcd-1..N: each on its own loopback address (x-lab.address, default 127.77.2.{n}), peers by name. */
function etcdMembers(name: string, svc: ServiceFile, members: number, pull: boolean, main: PortSpec, fail: (msg: string) => Error): InstanceSpec[] {
  const template = svc['x-lab'].address ?? '127.77.2.{n}';
  if (!template.includes('{n}'))
    throw fail(`services.${name}.x-lab.address: expected a template with {n} for the members of the etcd cluster, e.g. "127.77.2.{n}", found "${template}"`);
  const names = Array.from({ length: members }, (_, i) => `${name}-${i + 1}`);
  const cluster = names.map((m) => `${m}=http://${m}:2380`).join(',');
  return names.map((member, i) => {
    const hostIp = template.replace('{n}', String(i + 1));
    if (!isLoopback(hostIp)) throw fail(`services.${name}.x-lab.address: member ${i + 1} would be ${hostIp}, which is not a loopback address`);
    const inst = instance({
      name: member,
      svc,
      role: 'etcd',
      index: i + 1,
      pull,
      ports: [{ ...main, hostIp }],
      hostAddress: `${hostIp}:${main.hostPort}`,
      clusterAddress: `${member}:${main.containerPort}`,
    });
    const base = (inst.command ?? []).filter((arg) => !MEMBER_FLAGS.some((f) => arg === `--${f}` || arg.startsWith(`--${f}=`)));
    inst.command = [
      ...base,
      `--name=${member}`,
      `--listen-peer-urls=http://0.0.0.0:2380`,
      `--initial-advertise-peer-urls=http://${member}:2380`,
      `--advertise-client-urls=http://${member}:${main.containerPort}`,
      `--initial-cluster=${cluster}`,
      `--initial-cluster-state=new`,
      `--initial-cluster-token=${name}-lab`,
    ];
    return inst;
  });
}
