// Loads a scenario file: YAML through the zod schema, then the checks that need the sandbox (service
// names, clients, service configs). Every problem names file:line:column and nothing starts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FileError, InputError, LabError } from '../errors.js';
import type { Topology } from '../topology/types.js';
import { serviceConfigFrom, type TrafficClientSpec } from '../traffic/index.js';
import { parseDuration } from '../util/duration.js';
import { parseYaml } from '../util/yaml-file.js';
import { ACTION_KINDS, getAction } from './actions/index.js';
import { expectationKinds, type Check } from './expectations/index.js';
import type { Scenario, Step } from './model.js';
import { scenarioSchema } from './schema.js';

const ms = (v: string | number) => parseDuration(v)!;

/** Reads and checks `file`; `topologyFor(echo, etcd)` gives the sandbox the scenario will run on. */
export function loadScenario(file: string, topologyFor: (echo?: number, etcd?: number, proxy?: boolean) => Topology): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read the scenario ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const rel = path.relative(process.cwd(), file);
  return parseScenario(rel && !rel.startsWith('..') ? rel : path.resolve(file), text, topologyFor);
}

export function parseScenario(file: string, text: string, topologyFor: (echo?: number, etcd?: number, proxy?: boolean) => Topology): Scenario {
  const { value, positions } = parseYaml(file, text, scenarioSchema, (p) =>
    p.length === 2 && p[0] === 'steps' ? `a step has "at" and one action (${ACTION_KINDS.join(', ')}) or "expect"` : undefined,
  );
  const fail = (at: PropertyKey[], msg: string, key = false) => new FileError(positions.at(at, key ? 'key' : 'value'), msg);
  const durationMs = ms(value.duration);
  if (durationMs <= 0) throw fail(['duration'], `duration: expected a positive duration, found ${JSON.stringify(value.duration)}`);
  const topology = topologyFor(value.sandbox?.echo, value.sandbox?.etcd, value.sandbox?.proxy);
  // Steps may name what a `scale` step adds: names come from the largest sandbox the run will have.
  const echoCount = (t: Topology) => t.instances.filter((i) => i.role === 'echo').length;
  const scaled = value.steps.map((st) => (st as { scale?: { echo?: unknown } }).scale?.echo).filter((n): n is number => typeof n === 'number');
  const largest = Math.max(echoCount(topology), ...scaled);
  const widest = largest > echoCount(topology) ? topologyFor(largest, value.sandbox?.etcd, value.sandbox?.proxy) : topology;
  const instances = new Set(widest.instances.map((i) => i.name));
  const echoes = widest.instances.filter((i) => i.role === 'echo').map((i) => i.name);
  const startEchoes = topology.instances.filter((i) => i.role === 'echo').map((i) => i.name);

  const clients: TrafficClientSpec[] = [];
  let usesRouter = false;
  for (const [name, c] of Object.entries(value.clients)) {
    if (c.rate && c.concurrency) throw fail(['clients', name, 'rate'], `clients.${name}: rate and concurrency exclude each other (an open or a closed loop)`);
    let serviceConfig;
    try {
      serviceConfig = serviceConfigFrom(c.lb as string | object);
    } catch (err) {
      if (err instanceof LabError) throw fail(['clients', name, 'lb'], `clients.${name}.lb: ${err.message.replace(/^--lb: |^service config: /, '')}`);
      throw err;
    }
    // {echo-2} in a target is that instance's host address; {consul-dns} Consul's DNS interface:
    // scenarios name backends, not the addresses of one topology.
    const places: Record<string, string | undefined> = {
      ...Object.fromEntries(widest.instances.map((i) => [i.name, i.hostAddress])),
      'consul-dns': widest.consul.dnsHostAddress,
      'proxy-l4': widest.proxy?.l4,
      'proxy-l7': widest.proxy?.l7,
      router: widest.router,
    };
    if (c.target.includes('{router}')) usesRouter = true;
    const unknownPlace = [...c.target.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]).find((k) => !places[k]);
    if (unknownPlace !== undefined) throw fail(['clients', name, 'target'], `clients.${name}.target: {${unknownPlace}} is not in the sandbox (known: ${Object.keys(places).filter((k) => places[k]).map((k) => `{${k}}`).join(', ')})`);
    const target = c.target.replace(/\{([^}]*)\}/g, (_, k: string) => places[k]!);
    const keepalive =
      c.keepalive === undefined ? undefined : typeof c.keepalive === 'object' ? { timeMs: ms(c.keepalive.time), timeoutMs: ms(c.keepalive.timeout) } : { timeMs: ms(c.keepalive), timeoutMs: 1000 };
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
      keepalive,
      ...(c.dnsInterval === undefined ? {} : { channelOptions: { 'grpc.dns_min_time_between_resolutions_ms': ms(c.dnsInterval) } }),
    });
  }
  if (clients.length === 0) throw fail(['clients'], 'clients: a scenario needs at least one client');

  const steps: Step[] = [];
  value.steps.forEach((s, i) => {
    const at = ['steps', i];
    const line = positions.at(at).line;
    const atMs = ms(s.at);
    if (atMs > durationMs) throw fail([...at, 'at'], `steps[${i}].at: ${s.at} is after the end of the scenario (duration ${value.duration})`);
    const actions = ACTION_KINDS.filter((k) => (s as Record<string, unknown>)[k] !== undefined);
    if (s.expect && actions.length) throw fail([...at, actions[0]], `steps[${i}]: a step is one action or one expect; give "${actions[0]}" a step of its own`, true);
    if (actions.length > 1) throw fail([...at, actions[1]], `steps[${i}]: one action per step, found ${actions.join(' and ')}`, true);
    if (!s.expect && actions.length === 0) throw fail(at, `steps[${i}]: expected an action (${ACTION_KINDS.join(', ')}) or expect`);
    if (actions.length === 1) {
      const kind = actions[0];
      const def = getAction(kind)!;
      const arg = def.parse((s as Record<string, unknown>)[kind], { instances, clients: new Set(Object.keys(value.clients)) });
      if (typeof arg === 'string') throw fail([...at, kind], `steps[${i}].${kind}: ${arg}`);
      steps.push({ kind: 'action', index: i, atMs, line, action: def, arg, text: def.describe(arg) });
      return;
    }
    const e = s.expect!;
    if (!value.clients[e.client]) throw fail([...at, 'expect', 'client'], `steps[${i}].expect.client: no client named "${e.client}" (defined: ${Object.keys(value.clients).join(', ')})`);
    if (e.within === undefined && e.always === undefined) throw fail([...at, 'expect'], `steps[${i}].expect: needs within (holds by then and stays) or always (holds throughout)`);
    if (e.within !== undefined && e.always !== undefined) throw fail([...at, 'expect', 'always'], `steps[${i}].expect: within and always exclude each other`, true);
    const checks: Check[] = [];
    for (const kind of expectationKinds()) {
      const raw = e[kind.key];
      if (raw === undefined) continue;
      // A ratio compares the starting echo servers; per-backend shares may name any.
      const check = kind.parse(raw, typeof raw === 'string' && kind.key === 'share' ? startEchoes : echoes);
      if (typeof check === 'string') throw fail([...at, 'expect', kind.key], `steps[${i}].expect.${check.startsWith(kind.key) ? '' : `${kind.key}: `}${check}`);
      checks.push(check);
    }
    if (!checks.length) throw fail([...at, 'expect'], `steps[${i}].expect: nothing to check (share, errors, latency or attempts)`);
    const withinMs = e.within === undefined ? undefined : ms(e.within);
    const alwaysMs = e.always === undefined ? undefined : e.always === true ? Infinity : ms(e.always);
    steps.push({
      kind: 'expect',
      index: i,
      atMs,
      line,
      client: e.client,
      checks,
      withinMs,
      alwaysMs,
      settleMs: e.settle === undefined ? 1000 : ms(e.settle),
      windowMs: e.window === undefined ? 1000 : ms(e.window),
      text: `${e.client}: ${checks.map((c) => c.text).join('; ')} ${withinMs !== undefined ? `within ${e.within}` : alwaysMs === Infinity ? 'always' : `always for ${e.always}`}`,
    });
  });
  steps.sort((a, b) => a.atMs - b.atMs || a.index - b.index);
  return { file, text, name: value.name, description: value.description, durationMs, echo: value.sandbox?.echo, etcd: value.sandbox?.etcd, proxy: value.sandbox?.proxy, router: usesRouter, clients, steps };
}
