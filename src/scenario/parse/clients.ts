// A scenario's clients: each one's target ({echo-2}, {consul-dns}, ... resolved; a target that can
// never work refused), its service config (validated by grpc-js), its metadata (keys grpc-js would
// reject refused) and its load shape.
import { LabError } from '../../errors.js';
import {
  CALL_ID_HEADER,
  CLIENT_HEADER,
  isXdsTarget,
  metadataProblem,
  serviceConfigFrom,
  targetProblem,
  xdsChannelOptions,
  type TrafficClientSpec,
} from '../../traffic/index.js';
import { xdsNodeId } from '../../xds/index.js';
import { callProblem, sandboxTargetProblem, serverNames } from '../../topology/index.js';
import { toMs as ms } from '../../util/units.js';
import type { ScenarioFile } from '../schema.js';
import { guard, type ParseContext } from './context.js';
import type { ObservedClientSpec } from '../model.js';
import path from 'node:path';

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
  const written = c.target ?? 'etcd:///echo';
  const at = ['clients', name, 'target'];
  const open = /\{[^}]*$/.exec(written.replace(/\{[^}]*\}/g, ''));
  if (open) throw ctx.fail(at, `clients.${name}.target: the place ${open[0]} is not closed (write it {echo-2})`);
  const unknownPlace = [...written.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]).find((k) => !places[k]);
  if (unknownPlace !== undefined) {
    const known = Object.keys(places).filter((k) => places[k]);
    const echoes = ctx.widest.instances.filter((i) => i.role === 'echo').length;
    const why = /^proxy-l[47]$/.test(unknownPlace)
      ? `HAProxy runs only when asked: add \`sandbox: { proxy: true }\` to the scenario`
      : /^echo-\d+$/.test(unknownPlace)
        ? `it has ${echoes} echo server${echoes === 1 ? '' : 's'}, echo-1 to echo-${echoes} (more with sandbox: { echo: N })`
        : `known: ${known.map((k) => `{${k}}`).join(', ')}`;
    throw ctx.fail(at, `clients.${name}.target: {${unknownPlace}} is not in the sandbox: ${why}`);
  }
  let target = written.replace(/\{([^}]*)\}/g, (_, k: string) => places[k]!);
  // On a swarm a place is a name in the overlay (echo-2:50052): ipv4:{echo-2} dials that one name.
  const named = /^ipv4:([a-z][a-z0-9-]*:\d+)$/.exec(target);
  if (named && written.includes('{') && ctx.widest.engine === 'swarm') target = `dns:///${named[1]}`;
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

const OBSERVED_KEYS = ['run', 'name', 'grace'];

/** A client the user runs (`run:`): only its command, the name its calls carry and its grace; the lab's own client settings do not apply. */
function observedOf(ctx: ParseContext, key: string, c: ClientFile): ObservedClientSpec {
  const raw = ((ctx.raw as { clients?: Record<string, unknown> }).clients?.[key] ?? {}) as Record<string, unknown>;
  const foreign = Object.keys(raw).find((k) => !OBSERVED_KEYS.includes(k));
  if (foreign !== undefined)
    throw ctx.fail(
      ['clients', key, foreign],
      `clients.${key}.${foreign}: a client you run yourself (run:) takes only run, name and grace; ${foreign} is a setting of the lab's own clients (your command chooses its own target, balancer and load)`,
      true,
    );
  return { name: key, tag: c.name ?? key, run: c.run!, cwd: path.dirname(path.resolve(ctx.file)), graceMs: c.grace === undefined ? 2000 : ms(c.grace) };
}

/** Reserved metadata: the lab ties each call's pick and its server-side count to these. */
const RESERVED_METADATA = [CALL_ID_HEADER, CLIENT_HEADER];

function checkReserved(ctx: ParseContext, name: string, metadata: Record<string, string> | undefined): void {
  for (const key of Object.keys(metadata ?? {}))
    if (RESERVED_METADATA.includes(key.toLowerCase()))
      throw ctx.fail(
        ['clients', name, 'metadata', key],
        `clients.${name}.metadata: ${key} is the lab's own (it ties each call to its pick and to the servers' counts); name your header otherwise`,
        true,
      );
}

/** What the target names must exist in the sandbox it runs on (a service, Consul's DNS). */
function checkInSandbox(ctx: ParseContext, name: string, target: string): void {
  const problem = sandboxTargetProblem(target, ctx.widest);
  if (problem)
    throw ctx.fail(['clients', name, 'target'], `clients.${name}.target: ${problem.replace(ctx.widest.consul.dnsHostAddress ?? '\0', '{consul-dns}')}`);
}

function labClient(ctx: ParseContext, name: string, c: ClientFile): { spec: TrafficClientSpec; router: boolean } {
  if (c.name !== undefined || c.grace !== undefined)
    throw ctx.fail(
      ['clients', name, c.name !== undefined ? 'name' : 'grace'],
      `clients.${name}.${c.name !== undefined ? 'name' : 'grace'}: only a client you run yourself (run:) takes this; the lab's own client is named by its key`,
      true,
    );
  if (c.rate && c.concurrency) throw ctx.fail(['clients', name, 'rate'], `clients.${name}: rate and concurrency exclude each other (an open or a closed loop)`);
  if (c.lb !== undefined && isXdsTarget(c.target ?? ''))
    throw ctx.fail(
      ['clients', name, 'lb'],
      `clients.${name}.lb: an xds: client takes its balancer from the control plane; drop lb and set the policy with the xds action (e.g. xds: { lb: ring_hash })`,
    );
  if (ms(c.deadline) <= 0)
    throw ctx.fail(
      ['clients', name, 'deadline'],
      `clients.${name}.deadline: a deadline of 0 ends every call at once (DEADLINE_EXCEEDED); give it one, e.g. 1s`,
    );
  let serviceConfig;
  try {
    serviceConfig = serviceConfigFrom((c.lb ?? 'round_robin') as string | object);
  } catch (err) {
    if (err instanceof LabError) throw ctx.fail(['clients', name, 'lb'], `clients.${name}.lb: ${err.message.replace(/^--lb: |^service config: /, '')}`);
    throw err;
  }
  const target = targetOf(ctx, name, c);
  checkInSandbox(ctx, name, target);
  const method = typeof c.call === 'object' ? c.call.method : undefined;
  const callWrong = callProblem(target, ctx.widest, method);
  if (callWrong)
    throw ctx.fail(
      method === undefined ? ['clients', name, 'target'] : ['clients', name, 'call', 'method'],
      `clients.${name}.${method === undefined ? 'target' : 'call.method'}: ${callWrong}`,
    );
  if (c.dnsInterval !== undefined && !/^dns:/.test(target))
    throw ctx.fail(
      ['clients', name, 'dnsInterval'],
      `clients.${name}.dnsInterval: only a dns: target resolves again on a timer; ${target} does not (drop dnsInterval)`,
      true,
    );
  if (c.hashKeys !== undefined && Object.keys(c.metadata ?? {}).some((k) => k.toLowerCase() === 'x-lab-key'))
    throw ctx.fail(['clients', name, 'hashKeys'], `clients.${name}: hashKeys sets x-lab-key on every call, and metadata sets it too; keep one`, true);
  checkMetadata(ctx, name, c.metadata);
  checkReserved(ctx, name, c.metadata);
  const channelOptions = {
    ...(c.dnsInterval === undefined ? {} : { 'grpc.dns_min_time_between_resolutions_ms': ms(c.dnsInterval) }),
    ...xdsOptionsOf(ctx, name, target),
  };
  const spec: TrafficClientSpec = {
    name,
    target,
    serviceConfig,
    rate: c.rate,
    concurrency: c.rate ? undefined : (c.concurrency ?? 8),
    call: typeof c.call === 'string' ? c.call : 'unary',
    ...(method ? { method, names: serverNames(ctx.widest) } : {}),
    deadlineMs: ms(c.deadline),
    metadata: c.metadata,
    hashKeys: c.hashKeys,
    keepalive: keepaliveOf(c),
    ...(c.waitForReady ? { waitForReady: true } : {}),
    ...(Object.keys(channelOptions).length ? { channelOptions } : {}),
  };
  return { spec, router: !!c.target?.includes('{router}') };
}

export function parseClients(ctx: ParseContext): { clients: TrafficClientSpec[]; observed: ObservedClientSpec[]; usesRouter: boolean } {
  const clients: TrafficClientSpec[] = [];
  const observed: ObservedClientSpec[] = [];
  let usesRouter = false;
  for (const [name, c] of Object.entries(ctx.value.clients)) {
    guard(ctx, () => {
      if (c.run === undefined) {
        const got = labClient(ctx, name, c);
        clients.push(got.spec);
        usesRouter ||= got.router;
        return;
      }
      if (ctx.widest.engine === 'swarm')
        throw ctx.fail(
          ['clients', name, 'run'],
          `clients.${name}.run: a client you run yourself runs on this machine, and a swarm's backends are in its overlay, which nothing on this machine dials; play this scenario on one engine (drop --engine swarm)`,
        );
      const o = observedOf(ctx, name, c);
      // The servers count calls by this name: two clients under one name would be counted as one.
      const twin = observed.find((x) => x.tag === o.tag);
      const lab = Object.keys(ctx.value.clients).find((k) => k === o.tag && k !== name);
      if (twin || lab || o.tag === 'others')
        throw ctx.fail(
          ['clients', name, c.name !== undefined ? 'name' : 'run'],
          `clients.${name}: its calls would be counted as ${o.tag === 'others' ? 'those without a name ("others" is the lab\'s word for them)' : `those of clients.${twin?.name ?? lab}, which the servers also see as "${o.tag}"`}; give it a name of its own (name: ${name}-2)`,
          c.name !== undefined,
        );
      observed.push(o);
    });
  }
  if (Object.keys(ctx.value.clients).length === 0) throw ctx.fail(['clients'], 'clients: a scenario needs at least one client');
  return { clients, observed, usesRouter };
}
