// One container the lab runs, from its Compose service; and the address rules every role shares
// (loopback only, Compose's short port syntax).
import type { FileError } from '../errors.js';
import type { TopologyContext } from './context.js';
import type { Role, ServiceFile } from './schema.js';
import type { InstanceSpec, PortSpec } from './types.js';

const LOOPBACK = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function instance({
  name,
  svc,
  role,
  index,
  pull,
  ports,
  hostAddress,
  clusterAddress,
  weight = 1,
  zone = '',
}: {
  name: string;
  svc: ServiceFile;
  role: Role;
  /** Replica number from 1, 0 for a service of one. */
  index: number;
  pull: boolean;
  ports: PortSpec[];
  hostAddress: string;
  clusterAddress: string;
  weight?: number;
  zone?: string;
}): InstanceSpec {
  const list = (v: string | string[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v : v.split(/\s+/).filter(Boolean));
  const env: Record<string, string> = {};
  if (Array.isArray(svc.environment)) {
    for (const kv of svc.environment) {
      const i = kv.indexOf('=');
      env[i < 0 ? kv : kv.slice(0, i)] = i < 0 ? '' : kv.slice(i + 1);
    }
  } else for (const [k, v] of Object.entries(svc.environment ?? {})) env[k] = String(v);
  return {
    name,
    service: name.replace(/-\d+$/, ''),
    role,
    index,
    image: { ref: svc.image, assemble: svc['x-lab'].assemble, pull },
    entrypoint: list(svc.entrypoint),
    command: list(svc.command),
    env,
    ports,
    volumes: svc.volumes ?? [],
    hostAddress,
    controlAddress: hostAddress,
    linkPort: 0,
    clusterAddress,
    weight,
    zone,
  };
}

/**
 * The replicas of a replicated service (echo, server): each one's number, loopback address (from the
 * x-lab.address template, {n} = replica), weight and zone (cycled); every address checked.
 */
export function replicaPlan(
  ctx: TopologyContext,
  service: string,
  lab: ServiceFile['x-lab'],
  replicas: number,
  defaultTemplate: string,
): Array<{ n: number; hostIp: string; weight: number; zone: string }> {
  const at = ['services', service, 'x-lab', 'address'];
  const template = lab.address ?? defaultTemplate;
  if (!template.includes('{n}'))
    throw ctx.fail(at, `services.${service}.x-lab.address: expected a template with {n}, e.g. "${defaultTemplate}", found "${template}"`);
  return Array.from({ length: replicas }, (_, i) => {
    const n = i + 1;
    const hostIp = template.replace('{n}', String(n));
    if (!isLoopback(hostIp))
      throw ctx.fail(
        at,
        `services.${service}.x-lab.address: replica ${n} would be ${hostIp}, which is not a loopback address (127.x.y.z with parts up to 255)`,
      );
    return { n, hostIp, weight: lab.weights?.[i] ?? 1, zone: lab.zones?.[i % Math.max(1, lab.zones?.length ?? 1)] ?? '' };
  });
}

export function isLoopback(ip: string): boolean {
  const m = LOOPBACK.exec(ip);
  return !!m && m.slice(1).every((x) => Number(x) <= 255);
}

/** Compose's short port syntax, restricted to what the lab allows: "127.a.b.c:HOST:CONTAINER[/udp]". */
export function parsePort(spec: string, where: string, at: (msg: string) => FileError): PortSpec {
  const m = /^(\d+\.\d+\.\d+\.\d+):(\d+):(\d+)(?:\/(tcp|udp))?$/.exec(spec);
  const err = (msg: string) => at(`${where}: ${msg}`);
  if (!m) return throwIt(err(`expected a port as "127.x.y.z:HOST:CONTAINER" (the lab publishes on loopback addresses only), found "${spec}"`));
  if (!isLoopback(m[1])) return throwIt(err(`${m[1]} is not a loopback address: the lab publishes only on 127.x.y.z, never on the network`));
  const hostPort = Number(m[2]);
  const containerPort = Number(m[3]);
  if (hostPort < 1 || hostPort > 65535 || containerPort < 1 || containerPort > 65535) return throwIt(err(`port out of range in "${spec}"`));
  return { hostIp: m[1], hostPort, containerPort, protocol: (m[4] as 'tcp' | 'udp') ?? 'tcp' };
}

function throwIt(e: Error): never {
  throw e;
}
