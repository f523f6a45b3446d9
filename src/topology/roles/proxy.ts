// HAProxy, when the file has it and it is enabled or asked for (lab up --proxy): two tcp ports, L4
// then L7; its settings go to compose/haproxy.cfg through the environment.
import type { TopologyContext } from '../context.js';
import { instance } from '../instance.js';
import type { InstanceSpec, Topology } from '../types.js';

export function proxyInstance(ctx: TopologyContext, echoes: InstanceSpec[]): { inst: InstanceSpec; proxy: NonNullable<Topology['proxy']> } | undefined {
  const entry = ctx.role('proxy');
  if (!entry || !(ctx.overrides.proxy ?? entry[1]['x-lab'].enabled ?? false)) return undefined;
  const [name, svc] = entry;
  const ps = ctx.ports(name, svc).filter((p) => p.protocol === 'tcp');
  if (ps.length !== 2)
    throw ctx.fail(
      ['services', name, 'ports'],
      `services.${name}.ports: the proxy publishes two tcp ports, L4 then L7, e.g. ["127.77.0.4:50061:50061", "127.77.0.4:50062:50062"]`,
    );
  const inst = instance({
    name,
    svc,
    role: 'proxy',
    index: 0,
    pull: ctx.pull,
    ports: ps,
    hostAddress: `${ps[0].hostIp}:${ps[0].hostPort}`,
    clusterAddress: `${name}:${ps[0].containerPort}`,
  });
  const balance = svc['x-lab'].balance ?? 'roundrobin';
  const [echoName] = ctx.role('echo')!;
  const echoPort = ctx.role('echo')![1]['x-lab'].port ?? 50051;
  inst.env = {
    ...inst.env,
    LAB_L4_PORT: String(ps[0].containerPort),
    LAB_L7_PORT: String(ps[1].containerPort),
    // HAProxy's L4 mode cannot hash on a header: it balances connections round robin then.
    LAB_BALANCE_L4: balance.startsWith('hdr(') ? 'roundrobin' : balance,
    LAB_BALANCE_L7: balance,
    LAB_SLOTS: String(Math.max(16, echoes.length * 2)),
    LAB_ECHO_NAME: echoName,
    LAB_ECHO_PORT: String(echoPort),
  };
  return { inst, proxy: { l4: `${ps[0].hostIp}:${ps[0].hostPort}`, l7: `${ps[1].hostIp}:${ps[1].hostPort}`, balance } };
}
