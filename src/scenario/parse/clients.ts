// A scenario's clients: each one's target ({echo-2}, {consul-dns}, ... resolved; a target that can
// never work refused), its service config (validated by grpc-js), its metadata (keys grpc-js would
// reject refused) and its load shape.
import { LabError } from '../../errors.js';
import { isXdsTarget, metadataProblem, serviceConfigFrom, targetProblem, xdsChannelOptions, type TrafficClientSpec } from '../../traffic/index.js';
import { xdsNodeId } from '../../xds/index.js';
import { toMs as ms } from '../../util/units.js';
import type { ScenarioFile } from '../schema.js';
import type { ParseContext } from './context.js';

type ClientFile = ScenarioFile['clients'][string];

/** {echo-2} in a target is that instance's host address; {consul-dns} Consul's DNS interface: scenarios name backends, not the addresses of one topology. */
function placesOf(ctx: ParseContext): Record<string, string | undefined> {
  const t = ctx.widest;
  return {
    ...Object.fromEntries(t.instances.map((i) => [i.name, i.hostAddress])),
    'consul-dns': t.consul.dnsHostAddress,
    'proxy-l4': t.proxy?.l4,
    'proxy-l7': t.proxy?.l7,
    router: t.router,
  };
}

function targetOf(ctx: ParseContext, name: string, c: ClientFile): string {
  const places = placesOf(ctx);
  const unknownPlace = [...c.target.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]).find((k) => !places[k]);
  if (unknownPlace !== undefined) {
    const known = Object.keys(places).filter((k) => places[k]);
    throw ctx.fail(
      ['clients', name, 'target'],
      `clients.${name}.target: {${unknownPlace}} is not in the sandbox (known: ${known.map((k) => `{${k}}`).join(', ')})`,
    );
  }
  const target = c.target.replace(/\{([^}]*)\}/g, (_, k: string) => places[k]!);
  const problem = targetProblem(target);
  if (problem) throw ctx.fail(['clients', name, 'target'], `clients.${name}.target: ${problem}`);
  return target;
}

function checkMetadata(ctx: ParseContext, name: string, metadata: Record<string, string> | undefined): void {
  for (const [key, value] of Object.entries(metadata ?? {})) {
    const problem = metadataProblem(key, value);
    if (problem) throw ctx.fail(['clients', name, 'metadata', key], `clients.${name}.metadata: ${problem}`, true);
  }
}

/** An xds: client gets a bootstrap of its own (its node id), pointing at the sandbox's control plane. */
function xdsOptionsOf(ctx: ParseContext, name: string, target: string): Record<string, string> {
  if (!isXdsTarget(target)) return {};
  if (!ctx.widest.xds)
    throw ctx.fail(
      ['clients', name, 'target'],
      `clients.${name}.target: an xds: target needs the lab's xDS control plane; add \`sandbox: { xds: true }\` to the scenario`,
    );
  return xdsChannelOptions({ server: ctx.widest.xds.hostAddress, nodeId: xdsNodeId(name) }) as Record<string, string>;
}

function keepaliveOf(c: ClientFile): TrafficClientSpec['keepalive'] {
  if (c.keepalive === undefined) return undefined;
  if (typeof c.keepalive === 'object') return { timeMs: ms(c.keepalive.time), timeoutMs: ms(c.keepalive.timeout) };
  return { timeMs: ms(c.keepalive), timeoutMs: 1000 };
}

export function parseClients(ctx: ParseContext): { clients: TrafficClientSpec[]; usesRouter: boolean } {
  const clients: TrafficClientSpec[] = [];
  let usesRouter = false;
  for (const [name, c] of Object.entries(ctx.value.clients)) {
    if (c.rate && c.concurrency)
      throw ctx.fail(['clients', name, 'rate'], `clients.${name}: rate and concurrency exclude each other (an open or a closed loop)`);
    if (c.lb !== undefined && isXdsTarget(c.target))
      throw ctx.fail(
        ['clients', name, 'lb'],
        `clients.${name}.lb: an xds: client takes its balancer from the control plane; drop lb and set the policy with the xds action (e.g. xds: { lb: ring_hash })`,
      );
    let serviceConfig;
    try {
      serviceConfig = serviceConfigFrom((c.lb ?? 'round_robin') as string | object);
    } catch (err) {
      if (err instanceof LabError) throw ctx.fail(['clients', name, 'lb'], `clients.${name}.lb: ${err.message.replace(/^--lb: |^service config: /, '')}`);
      throw err;
    }
    if (c.target.includes('{router}')) usesRouter = true;
    const target = targetOf(ctx, name, c);
    checkMetadata(ctx, name, c.metadata);
    const channelOptions = {
      ...(c.dnsInterval === undefined ? {} : { 'grpc.dns_min_time_between_resolutions_ms': ms(c.dnsInterval) }),
      ...xdsOptionsOf(ctx, name, target),
    };
    clients.push({
      name,
      target,
      serviceConfig,
      rate: c.rate,
      concurrency: c.rate ? undefined : (c.concurrency ?? 8),
      call: c.call,
      deadlineMs: ms(c.deadline),
      metadata: c.metadata,
      hashKeys: c.hashKeys,
      keepalive: keepaliveOf(c),
      ...(Object.keys(channelOptions).length ? { channelOptions } : {}),
    });
  }
  if (clients.length === 0) throw ctx.fail(['clients'], 'clients: a scenario needs at least one client');
  return { clients, usesRouter };
}
