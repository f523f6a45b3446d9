// The echo servers: replicas on their own loopback addresses (x-lab.address, {n} = replica), each
// behind its link proxy by default (the host address leads through it; the direct port is beside it).
import type { TopologyContext } from '../context.js';
import { instance, replicaPlan } from '../instance.js';
import type { InstanceSpec } from '../types.js';

export function echoInstances(ctx: TopologyContext): InstanceSpec[] {
  const [echoName, echo] = ctx.role('echo')!;
  const lab = echo['x-lab'];
  const at = (key: string) => ['services', echoName, 'x-lab', key];
  const replicas = ctx.overrides.echo ?? echo.deploy?.replicas ?? 3;
  const port = lab.port ?? 50051;
  const linkProxy = lab['link-proxy'] ?? true;
  if (linkProxy && port === 65535)
    throw ctx.fail(at('port'), `services.${echoName}.x-lab.port: the link proxy needs port+1 as well; use a lower port or link-proxy: false`);
  const out: InstanceSpec[] = [];
  for (const { n, hostIp, weight, zone } of replicaPlan(ctx, echoName, lab, replicas, '127.77.1.{n}')) {
    const name = `${echoName}-${n}`;
    const inst = instance({
      name,
      svc: echo,
      role: 'echo',
      index: n,
      pull: ctx.pull,
      ports: [],
      hostAddress: `${hostIp}:${port}`,
      clusterAddress: `${name}:${port}`,
      weight,
      zone,
    });
    if (linkProxy) {
      // The host address leads through the link proxy (container port+1); the direct port is
      // published next to it, at host port+1, for the lab's control calls.
      inst.linkPort = port + 1;
      inst.ports = [
        { hostIp, hostPort: port, containerPort: port + 1, protocol: 'tcp' },
        { hostIp, hostPort: port + 1, containerPort: port, protocol: 'tcp' },
      ];
      inst.controlAddress = `${hostIp}:${port + 1}`;
    } else inst.ports = [{ hostIp, hostPort: port, containerPort: port, protocol: 'tcp' }];
    out.push(inst);
  }
  return out;
}
