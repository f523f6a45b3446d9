// A server of yours (x-lab.role: server): any gRPC server image, replicas on their own loopback
// addresses as echo's are (x-lab.address, {n} = replica). Each replica is two containers, as a
// Kubernetes pod is: the lab's sidecar (lab/echo, lib/echo/sidecar.cjs), which owns the network
// namespace, the host address and the cluster names, registers the instance and watches it; and the
// server, which joins that namespace. Killing, freezing or restarting the server leaves its address
// in place. Inside the namespace the server listens on x-lab.port; the sidecar's link proxy on
// port+1 (published on the host address's port) and its health service on port+2 (published on port+1).
import path from 'node:path';
import { parseDuration } from '../../util/duration.js';
import type { TopologyContext } from '../context.js';
import { instance, replicaPlan } from '../instance.js';
import type { InstanceSpec } from '../types.js';

export const sidecarName = (instanceName: string) => `${instanceName}-sidecar`;

export function serverInstances(ctx: TopologyContext): InstanceSpec[] {
  const entry = ctx.role('server');
  if (!entry) return [];
  const [name, svc] = entry;
  const lab = svc['x-lab'];
  const at = (key: string) => ['services', name, 'x-lab', key];
  const replicas = svc.deploy?.replicas ?? 1;
  const port = lab.port ?? 50051;
  if (port > 65533) throw ctx.fail(at('port'), `services.${name}.x-lab.port: the sidecar needs port+1 and port+2 beside it; use a port up to 65533`);
  const plan = replicaPlan(ctx, name, lab, replicas, '127.77.3.{n}');
  if (svc.ports?.length)
    throw ctx.fail(['services', name, 'ports'], `services.${name}.ports: a server publishes nothing itself; its sidecar publishes x-lab.port on x-lab.address`);
  if (svc['x-lab'].assemble)
    throw ctx.fail(
      at('assemble'),
      `services.${name}.x-lab.assemble: the lab has no recipe for your server; give x-lab.binary to put a host executable in its image`,
    );
  const interval = parseDuration(lab.probe?.interval ?? '1s')!;
  const bound = parseDuration(lab.probe?.bound ?? lab.probe?.interval ?? '1s')!;
  const probeAt = (k: string) => ['services', name, 'x-lab', 'probe', k];
  if (interval < 100 || interval > 60_000 || !Number.isInteger(interval))
    throw ctx.fail(probeAt('interval'), `services.${name}.x-lab.probe.interval: a whole number of milliseconds from 100ms to 60s`);
  if (bound < 50 || bound > interval || !Number.isInteger(bound))
    throw ctx.fail(probeAt('bound'), `services.${name}.x-lab.probe.bound: a whole number of milliseconds from 50ms up to the interval (${interval} ms)`);
  // The sidecar renews the lease after each answered probe: a lease shorter than a probe's round
  // would lapse between two of them, and a server that answers would come and go.
  const ttl = parseDuration(ctx.value['x-lab'].registration['lease-ttl'])!;
  if (interval + bound >= ttl)
    throw ctx.fail(
      probeAt(lab.probe?.interval ? 'interval' : 'bound'),
      `services.${name}.x-lab.probe: the interval and the bound (${interval + bound} ms) must stay under x-lab.registration.lease-ttl (${ttl} ms), or the lease of a server that answers lapses between two probes`,
    );
  const binary = lab.binary ? path.resolve(path.dirname(path.resolve(ctx.file)), lab.binary) : undefined;
  const out: InstanceSpec[] = [];
  for (const { n, hostIp, weight, zone } of plan) {
    const instName = `${name}-${n}`;
    const common = {
      index: n,
      pull: ctx.pull,
      hostAddress: `${hostIp}:${port}`,
      clusterAddress: `${instName}:${port}`,
      weight,
      zone,
    };
    const server = instance({ ...common, name: instName, svc, role: 'server', ports: [] });
    server.image.binary = binary;
    server.joins = sidecarName(instName);
    server.sidecarProbeMs = interval + bound;
    server.controlAddress = `${hostIp}:${port + 1}`;
    const sidecar = instance({
      ...common,
      name: sidecarName(instName),
      svc: { image: 'lab/echo', 'x-lab': { role: 'echo', assemble: 'echo' } },
      role: 'sidecar',
      ports: [
        { hostIp, hostPort: port, containerPort: port + 1, protocol: 'tcp' },
        { hostIp, hostPort: port + 1, containerPort: port + 2, protocol: 'tcp' },
      ],
    });
    sidecar.service = name;
    sidecar.controlAddress = server.controlAddress;
    sidecar.linkPort = port + 1;
    sidecar.sidecar = { of: instName, serverPort: port, health: lab.health ?? 'grpc', probeIntervalMs: interval, probeBoundMs: bound };
    out.push(sidecar, server);
  }
  return out;
}
