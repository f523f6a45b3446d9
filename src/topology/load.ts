// Loads compose/lab.yaml into a Topology: Compose-spec services plus `x-lab` extensions.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FileError, InputError } from '../errors.js';
import { parseDuration } from '../util/duration.js';
import { parseYaml } from '../util/yaml-file.js';
import { topologySchema, type Role, type ServiceFile } from './schema.js';
import type { InstanceSpec, PortSpec, Topology } from './types.js';

export const DEFAULT_TOPOLOGY = 'compose/lab.yaml';

export interface TopologyOverrides {
  /** Number of echo servers (lab up --echo N, a scenario's sandbox.echo). */
  echo?: number;
  /** Members of the etcd cluster (a scenario's sandbox.etcd): 1, 3 or 5. */
  etcd?: number;
  /** Run the proxy service (HAProxy) even when the file does not enable it (lab up --proxy). */
  proxy?: boolean;
  pull?: boolean;
}

const LOOPBACK = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function loadTopology(file = DEFAULT_TOPOLOGY, overrides: TopologyOverrides = {}): Topology {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read the topology ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      hint: `Run lab from the project folder, or pass --file <path to a compose file>.`,
    });
  }
  const rel = path.relative(process.cwd(), file);
  return parseTopology(rel && !rel.startsWith('..') ? rel : path.resolve(file), text, overrides);
}

export function parseTopology(file: string, text: string, overrides: TopologyOverrides = {}): Topology {
  const { value, positions } = parseYaml(file, text, topologySchema);
  const lab = value['x-lab'];
  const fail = (p: PropertyKey[], msg: string) => new FileError(positions.at(p), msg);

  const byRole = new Map<Role, [string, ServiceFile]>();
  for (const [name, svc] of Object.entries(value.services)) {
    const role = svc['x-lab'].role;
    if (byRole.has(role)) {
      throw fail(['services', name, 'x-lab', 'role'], `services.${name}.x-lab.role: "${role}" is taken by services.${byRole.get(role)![0]}; the lab runs one service of each role`);
    }
    byRole.set(role, [name, svc]);
  }
  for (const role of ['etcd', 'consul', 'echo'] as const) {
    if (!byRole.has(role)) throw fail(['services'], `services: no service has x-lab.role "${role}"; the lab needs etcd, consul and echo`);
  }

  const pull = overrides.pull ?? lab.pull;
  const instances: InstanceSpec[] = [];
  const ports = (name: string, svc: ServiceFile): PortSpec[] =>
    (svc.ports ?? []).map((p, i) => parsePort(p, `services.${name}.ports[${i}]`, (msg) => fail(['services', name, 'ports', i], msg)));

  for (const role of ['etcd', 'consul'] as const) {
    const [name, svc] = byRole.get(role)!;
    const ps = ports(name, svc);
    const main = ps.find((p) => p.protocol === 'tcp');
    if (!main) throw fail(['services', name], `services.${name}: needs a published tcp port on a loopback address, e.g. "127.77.0.2:2379:2379"`);
    const members = role === 'etcd' ? (overrides.etcd ?? svc['x-lab'].members ?? 1) : 1;
    if (members > 1) {
      instances.push(...etcdMembers(name, svc, members, pull, main, (msg) => fail(['services', name, 'x-lab', 'address'], msg)));
      continue;
    }
    instances.push(
      instance(name, svc, role, 0, pull, ps, `${main.hostIp}:${main.hostPort}`, `${name}:${main.containerPort}`, 1, ''),
    );
  }

  const [echoName, echo] = byRole.get('echo')!;
  const echoLab = echo['x-lab'];
  const replicas = overrides.echo ?? echo.deploy?.replicas ?? 3;
  const template = echoLab.address ?? '127.77.1.{n}';
  const echoPort = echoLab.port ?? 50051;
  const linkProxy = echoLab['link-proxy'] ?? true;
  if (linkProxy && echoPort === 65535) throw fail(['services', echoName, 'x-lab', 'port'], `services.${echoName}.x-lab.port: the link proxy needs port+1 as well; use a lower port or link-proxy: false`);
  if (!template.includes('{n}')) throw fail(['services', echoName, 'x-lab', 'address'], `services.${echoName}.x-lab.address: expected a template with {n}, e.g. "127.77.1.{n}", found "${template}"`);
  for (let n = 1; n <= replicas; n++) {
    const hostIp = template.replace('{n}', String(n));
    if (!isLoopback(hostIp)) throw fail(['services', echoName, 'x-lab', 'address'], `services.${echoName}.x-lab.address: replica ${n} would be ${hostIp}, which is not a loopback address (127.x.y.z with parts up to 255)`);
    const name = `${echoName}-${n}`;
    const weight = echoLab.weights?.[n - 1] ?? 1;
    const zone = echoLab.zones?.[(n - 1) % Math.max(1, echoLab.zones?.length ?? 1)] ?? '';
    const inst = instance(name, echo, 'echo', n, pull, [], `${hostIp}:${echoPort}`, `${name}:${echoPort}`, weight, zone);
    if (linkProxy) {
      // The host address leads through the link proxy (container port+1); the direct port is
      // published next to it, at host port+1, for the lab's control calls.
      inst.linkPort = echoPort + 1;
      inst.ports = [
        { hostIp, hostPort: echoPort, containerPort: echoPort + 1, protocol: 'tcp' },
        { hostIp, hostPort: echoPort + 1, containerPort: echoPort, protocol: 'tcp' },
      ];
      inst.controlAddress = `${hostIp}:${echoPort + 1}`;
    } else inst.ports = [{ hostIp, hostPort: echoPort, containerPort: echoPort, protocol: 'tcp' }];
    instances.push(inst);
  }

  // The proxy (HAProxy), when the file has one and it is enabled or asked for: two tcp ports, L4 then L7.
  let proxy: Topology['proxy'];
  const proxyEntry = byRole.get('proxy');
  if (proxyEntry && (overrides.proxy ?? proxyEntry[1]['x-lab'].enabled ?? false)) {
    const [name, svc] = proxyEntry;
    const ps = ports(name, svc).filter((p) => p.protocol === 'tcp');
    if (ps.length !== 2) throw fail(['services', name, 'ports'], `services.${name}.ports: the proxy publishes two tcp ports, L4 then L7, e.g. ["127.77.0.4:50061:50061", "127.77.0.4:50062:50062"]`);
    const inst = instance(name, svc, 'proxy', 0, pull, ps, `${ps[0].hostIp}:${ps[0].hostPort}`, `${name}:${ps[0].containerPort}`, 1, '');
    const balance = svc['x-lab'].balance ?? 'roundrobin';
    // HAProxy's L4 mode cannot hash on a header: it balances connections round robin then.
    inst.env = {
      ...inst.env,
      LAB_L4_PORT: String(ps[0].containerPort),
      LAB_L7_PORT: String(ps[1].containerPort),
      LAB_BALANCE_L4: balance.startsWith('hdr(') ? 'roundrobin' : balance,
      LAB_BALANCE_L7: balance,
      LAB_SLOTS: String(Math.max(16, replicas * 2)),
      LAB_ECHO_NAME: echoName,
      LAB_ECHO_PORT: String(echoPort),
    };
    instances.push(inst);
    proxy = { l4: `${ps[0].hostIp}:${ps[0].hostPort}`, l7: `${ps[1].hostIp}:${ps[1].hostPort}`, balance };
  }

  const seen = new Map<string, string>();
  for (const inst of instances) {
    for (const p of inst.ports) {
      const key = `${p.hostIp}:${p.hostPort}/${p.protocol}`;
      if (seen.has(key)) throw new InputError(`${file}: ${inst.name} and ${seen.get(key)} both publish ${key}`);
      seen.set(key, inst.name);
    }
  }

  const reg = lab.registration;
  const etcds = instances.filter((i) => i.role === 'etcd');
  const consul = instances.find((i) => i.role === 'consul')!;
  const dns = consul.ports.find((p) => p.containerPort === 8600 && p.protocol === 'udp');
  const networks = value.networks ?? {};
  return {
    file,
    project: lab.project,
    network: networks.default?.name ?? `${lab.project}-net`,
    pull,
    registration: {
      etcdPrefix: reg['etcd-prefix'],
      leaseTtlMs: parseDuration(reg['lease-ttl'])!,
      checkIntervalMs: parseDuration(reg['check-interval'])!,
      deregisterAfterMs: parseDuration(reg['deregister-after'])!,
    },
    instances,
    // A cluster's members as a list: etcd clients (the resolver, the echo's registrar) take them all.
    etcd: { hostAddress: etcds.map((e) => e.hostAddress).join(','), clusterAddress: etcds.map((e) => e.clusterAddress).join(',') },
    consul: { hostAddress: consul.hostAddress, clusterAddress: consul.clusterAddress, dnsHostAddress: dns ? `${dns.hostIp}:${dns.hostPort}` : undefined },
    proxy,
    router: lab.router,
  };
}

/** Flags the lab sets on each member of an etcd cluster (replacing any in the service's command). */
const MEMBER_FLAGS = ['name', 'listen-peer-urls', 'initial-advertise-peer-urls', 'initial-cluster', 'initial-cluster-state', 'initial-cluster-token', 'advertise-client-urls'];

/** etcd-1..N: each on its own loopback address (x-lab.address, default 127.77.2.{n}), peers by name. */
function etcdMembers(name: string, svc: ServiceFile, members: number, pull: boolean, main: PortSpec, fail: (msg: string) => Error): InstanceSpec[] {
  const template = svc['x-lab'].address ?? '127.77.2.{n}';
  if (!template.includes('{n}')) throw fail(`services.${name}.x-lab.address: expected a template with {n} for the members of the etcd cluster, e.g. "127.77.2.{n}", found "${template}"`);
  const names = Array.from({ length: members }, (_, i) => `${name}-${i + 1}`);
  const cluster = names.map((m) => `${m}=http://${m}:2380`).join(',');
  return names.map((member, i) => {
    const hostIp = template.replace('{n}', String(i + 1));
    if (!isLoopback(hostIp)) throw fail(`services.${name}.x-lab.address: member ${i + 1} would be ${hostIp}, which is not a loopback address`);
    const inst = instance(member, svc, 'etcd', i + 1, pull, [{ ...main, hostIp }], `${hostIp}:${main.hostPort}`, `${member}:${main.containerPort}`, 1, '');
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

function instance(
  name: string,
  svc: ServiceFile,
  role: Role,
  index: number,
  pull: boolean,
  ports: PortSpec[],
  hostAddress: string,
  clusterAddress: string,
  weight: number,
  zone: string,
): InstanceSpec {
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

export function isLoopback(ip: string): boolean {
  const m = LOOPBACK.exec(ip);
  return !!m && m.slice(1).every((x) => Number(x) <= 255);
}

/** Compose's short port syntax, restricted to what the lab allows: "127.a.b.c:HOST:CONTAINER[/udp]". */
function parsePort(spec: string, where: string, at: (msg: string) => FileError): PortSpec {
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
