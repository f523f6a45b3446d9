// Loads compose/lab.yaml into a Topology: Compose-spec services plus `x-lab` extensions, one role's
// part each (roles/), checked so that a typo never starts a half-right cluster.
import { readInputFile } from '../util/read-input.js';
import path from 'node:path';
import { InputError } from '../errors.js';
import { parseDuration } from '../util/duration.js';
import { parseYaml } from '../util/yaml-file.js';
import { TopologyContext, type TopologyOverrides } from './context.js';
import { echoInstances } from './roles/echo.js';
import { proxyInstance } from './roles/proxy.js';
import { registryInstances } from './roles/registries.js';
import { serverInstances } from './roles/server.js';
import { xdsInstance } from './roles/xds.js';
import { topologySchema } from './schema.js';
import { onSwarm } from './swarm.js';
import type { InstanceSpec, Topology } from './types.js';

export { isLoopback } from './instance.js';
import { isLoopback } from './instance.js';
export type { TopologyOverrides } from './context.js';

export function loadTopology(file: string, overrides: TopologyOverrides = {}): Topology {
  return topologySource(file)(overrides);
}

/** A topology file read once; each shape of it (a scenario's sandbox:, a scale) parsed from that text. */
export function topologySource(file: string): (overrides?: TopologyOverrides) => Topology {
  const text = readInputFile(file, 'topology', 'Run lab from the project folder, or pass --file <path to a compose file>.');
  const rel = path.relative(process.cwd(), file);
  const name = rel && !rel.startsWith('..') ? rel : path.resolve(file);
  return (overrides = {}) => parseTopology(name, text, overrides);
}

export function parseTopology(file: string, text: string, overrides: TopologyOverrides = {}): Topology {
  const { value, positions } = parseYaml(file, text, topologySchema);
  const ctx = new TopologyContext(file, value, positions, overrides);
  for (const [name, svc] of Object.entries(value.services)) {
    const role = svc['x-lab'].role;
    const taken = ctx.role(role);
    if (taken)
      throw ctx.fail(
        ['services', name, 'x-lab', 'role'],
        `services.${name}.x-lab.role: "${role}" is taken by services.${taken[0]}; the lab runs one service of each role`,
      );
    ctx.byRole.set(role, [name, svc]);
  }
  for (const role of ['etcd', 'consul', 'echo'] as const) {
    if (!ctx.role(role)) throw ctx.fail(['services'], `services: no service has x-lab.role "${role}"; the lab needs etcd, consul and echo`);
  }
  const registries = registryInstances(ctx);
  const echoes = echoInstances(ctx);
  const proxy = proxyInstance(ctx, echoes);
  const xds = xdsInstance(ctx, registries);
  const servers = serverInstances(ctx);
  const instances = [...registries, ...echoes, ...servers, ...(proxy ? [proxy.inst] : []), ...(xds ? [xds.inst] : [])];
  // The services that run only when asked (the proxy, the xDS control plane) are checked as if
  // asked: a wrong address would otherwise wait for the first `lab up --xds` to show.
  const asked = new TopologyContext(file, value, positions, { ...overrides, proxy: true, xds: true });
  for (const [role, entry] of ctx.byRole) asked.byRole.set(role, entry);
  const possible = [...registries, ...echoes, ...servers, ...[proxyInstance(asked, echoes)?.inst, xdsInstance(asked, registries)?.inst].filter((i) => !!i)];
  checkUniquePorts(ctx, possible);
  checkRouter(ctx, possible);

  const lab = value['x-lab'];
  const reg = lab.registration;
  const etcds = instances.filter((i) => i.role === 'etcd');
  const consul = instances.find((i) => i.role === 'consul')!;
  const dns = consul.ports.find((p) => p.containerPort === 8600 && p.protocol === 'udp');
  const topology: Topology = {
    file,
    project: lab.project,
    engine: 'docker',
    network: value.networks?.default?.name ?? `${lab.project}-net`,
    pull: ctx.pull,
    registration: {
      etcdPrefix: reg['etcd-prefix'],
      leaseTtlMs: parseDuration(reg['lease-ttl'])!,
      checkIntervalMs: parseDuration(reg['check-interval'])!,
      deregisterAfterMs: parseDuration(reg['deregister-after'])!,
    },
    echoServer: overrides.maxConnectionAgeMs ? { maxConnectionAgeMs: overrides.maxConnectionAgeMs } : {},
    instances,
    // A cluster's members as a list: etcd clients (the resolver, the echo's registrar) take them all.
    etcd: { hostAddress: etcds.map((e) => e.hostAddress).join(','), clusterAddress: etcds.map((e) => e.clusterAddress).join(',') },
    consul: { hostAddress: consul.hostAddress, clusterAddress: consul.clusterAddress, dnsHostAddress: dns ? `${dns.hostIp}:${dns.hostPort}` : undefined },
    proxy: proxy?.proxy,
    xds: xds?.xds,
    router: lab.router,
    routerRunsIn: 'lab',
  };
  const engine = overrides.engine ?? engineFromEnv() ?? lab.engine;
  const server = ctx.role('server');
  if (engine === 'swarm' && server)
    throw ctx.fail(
      ['services', server[0], 'x-lab', 'role'],
      `services.${server[0]}: a server of yours runs on one Docker engine only, not on a swarm yet (its image would have to be on every node)`,
    );
  return engine === 'swarm' ? onSwarm(topology, { subnet: lab.swarm.subnet, nodes: { ...lab.swarm.nodes, ...nodesFromEnv(file) } }) : topology;
}

/** LAB_ENGINE (what `lab --engine` sets for the whole process): docker or swarm. */
function engineFromEnv(): 'docker' | 'swarm' | undefined {
  const raw = process.env.LAB_ENGINE;
  if (!raw) return undefined;
  if (raw === 'docker' || raw === 'swarm') return raw;
  throw new InputError(`--engine (LAB_ENGINE): expected docker or swarm, found "${raw}"`, {
    hint: 'docker: this machine’s Docker engine (the default); swarm: the Docker Swarm it manages.',
  });
}

/** LAB_SWARM_NODES: "name=endpoint,name=endpoint" (what scripts/test-swarm.sh up prints). */
function nodesFromEnv(file: string): Record<string, string> {
  const raw = process.env.LAB_SWARM_NODES ?? '';
  const out: Record<string, string> = {};
  for (const part of raw.split(',').filter(Boolean)) {
    const i = part.indexOf('=');
    const name = part.slice(0, i);
    const endpoint = part.slice(i + 1);
    if (i <= 0 || !/^(unix|tcp|http):\/\//.test(endpoint))
      throw new InputError(`LAB_SWARM_NODES: expected name=unix:///path or name=tcp://host:port, found "${part}"`, {
        hint: `Each node's hostname and its Docker API, comma-separated; or list them under x-lab.swarm.nodes in ${file}.`,
      });
    out[name] = endpoint;
  }
  return out;
}

/** The router's address: a real loopback address and port, not one a service publishes. */
function checkRouter(ctx: TopologyContext, instances: InstanceSpec[]): void {
  const router = ctx.value['x-lab'].router;
  const [, ip, port] = /^(.*):(\d+)$/.exec(router) ?? [];
  const at = ['x-lab', 'router'];
  if (!isLoopback(ip) || Number(port) < 1 || Number(port) > 65535)
    throw ctx.fail(at, `x-lab.router: "${router}" is not a loopback address with a port from 1 to 65535 (e.g. 127.77.0.5:50070)`);
  const taken = instances.find((i) => i.ports.some((p) => p.hostIp === ip && p.hostPort === Number(port) && p.protocol === 'tcp'));
  if (taken) throw ctx.fail(at, `x-lab.router: ${router} is published by ${taken.name} already; give the router an address of its own`);
}

function checkUniquePorts(ctx: TopologyContext, instances: InstanceSpec[]): void {
  const seen = new Map<string, string>();
  for (const inst of instances) {
    for (const p of inst.ports) {
      const key = `${p.hostIp}:${p.hostPort}/${p.protocol}`;
      const svc = ctx.value.services[inst.service];
      const at = svc?.ports ? ['services', inst.service, 'ports'] : ['services', inst.service, 'x-lab', 'address'];
      if (seen.has(key))
        throw ctx.fail(at, `services.${inst.service}: ${inst.name} would publish ${key}, which ${seen.get(key)} publishes; give it an address of its own`);
      seen.set(key, inst.name);
    }
  }
}
