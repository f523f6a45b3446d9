// Loads a scenario file: YAML through the zod schema, then the checks that need the sandbox (service
// names, clients, service configs), then the model of the run's timeline (every step against the
// sandbox at its time, every expectation against the windows it will be judged on). Every problem
// names file:line:column, all of them at once, in line order; nothing starts.
import path from 'node:path';
import { FileError, fileErrors } from '../errors.js';
import { isBackend, type Topology } from '../topology/index.js';
import { toMs as ms } from '../util/units.js';
import { describePath } from '../util/yaml-positions.js';
import { parseYaml } from '../util/yaml-file.js';
import { readInputFile } from '../util/read-input.js';
import { actionKinds, type Names } from './actions/index.js';
import type { ExpectStep, SandboxOverrides, Scenario, Step } from './model.js';
import { parseClients } from './parse/clients.js';
import type { ParseContext } from './parse/context.js';
import { parseActions, parseExpectations } from './parse/steps.js';
import { scenarioSchema } from './schema.js';
import { buildTimeline, clientModels } from './timeline/build.js';
import { planExpectations } from './timeline/plan.js';
import { frontsOf } from './timeline/fronts.js';
import { dialled } from './timeline/reach.js';

/** The topology a scenario runs on, from compose/lab.yaml and the scenario's `sandbox:` overrides. */
export type TopologyFor = (sandbox: SandboxOverrides) => Topology;

/** The stats' bucket: what the verdict's windows are made of (the player's default). */
export const BUCKET_MS = 250;

/** Reads and checks `file`; `topologyFor(echo, etcd)` gives the sandbox the scenario will run on. */
export function loadScenario(file: string, topologyFor: TopologyFor): Scenario {
  const text = readInputFile(file, 'scenario');
  const rel = path.relative(process.cwd(), file);
  return parseScenario(rel && !rel.startsWith('..') ? rel : path.resolve(file), text, topologyFor);
}

export function parseScenario(file: string, text: string, topologyFor: TopologyFor): Scenario {
  const { value, raw, positions } = parseYaml(file, text, scenarioSchema(), (p) =>
    p.length === 2 && p[0] === 'steps' ? `a step has "at" and one action (${actionKinds().sort().join(', ')}) or "expect"` : undefined,
  );
  const { maxConnectionAge, ...asked } = value.sandbox ?? {};
  const sandbox: SandboxOverrides = { ...asked, ...(maxConnectionAge !== undefined ? { maxConnectionAgeMs: ms(maxConnectionAge) } : {}) };
  const topology = topologyFor(sandbox);
  // Steps may name what a `scale` step adds: names come from the largest sandbox the run will have.
  const echoesOf = (t: Topology) => t.instances.filter((i) => i.role === 'echo').map((i) => i.name);
  const scaled = value.steps.map((st) => (st as { scale?: { echo?: unknown } }).scale?.echo).filter((n): n is number => typeof n === 'number');
  const largest = Math.max(echoesOf(topology).length, ...scaled);
  const widest = largest > echoesOf(topology).length ? topologyFor({ ...sandbox, echo: largest }) : topology;
  const problems: FileError[] = [];
  const ctx: ParseContext = {
    file,
    value,
    raw,
    positions,
    topology,
    widest,
    // Steps that act on a client (set-lb) may name only the lab's own: yours chooses its balancer itself.
    names: namesOf(
      widest,
      Object.entries(value.clients)
        .filter(([, c]) => c.run === undefined)
        .map(([k]) => k),
      Object.entries(value.clients)
        .filter(([, c]) => c.run !== undefined)
        .map(([k]) => k),
    ),
    echoes: widest.instances.filter(isBackend).map((i) => i.name),
    startEchoes: echoesOf(topology),
    durationMs: ms(value.duration),
    fail: (at, msg, key = false) => new FileError(positions.at(at, key ? 'key' : 'value'), msg),
    problems,
  };
  const { clients, observed, usesRouter } = parseClients(ctx);
  const { actions, expects } = parseActions(ctx);
  for (const a of actions.filter((x) => x.action.kind === 'router-fault')) {
    const why = !usesRouter
      ? 'no client dials {router}, so a fault on the lab\'s router would touch no call; give a client target: "ipv4:{router}"'
      : widest.routerRunsIn !== 'lab'
        ? "on a swarm the router runs in the sandbox's gateway, which takes no faults yet; play this scenario on one engine"
        : undefined;
    if (why) problems.push(ctx.fail(['steps', a.index, 'router-fault'], `steps[${a.index}].router-fault: ${why}`, true));
  }

  // The timeline: the sandbox after each action, each checked against the sandbox at its time.
  const models = clientModels(clients, observed);
  const built = buildTimeline({
    topology,
    topologyFor: (echo) => topologyFor({ ...sandbox, echo }),
    clients: models,
    actions,
  });
  for (const p of built.problems) problems.push(ctx.fail(['steps', p.index, ...p.path], `${describePath(['steps', p.index, ...p.path])}: ${p.message}`, p.key));

  const fronts = frontsOf(widest);
  // A ratio is over the echo servers then; for a client of a server of yours, over that server's
  // replicas; for a client you run, over every backend that counts its calls (it may call any).
  const echoesAt = (atMs: number, client: string) => {
    const m = built.timeline.at(atMs);
    const c = models.get(client);
    const reach = c ? dialled(c, m, fronts).dialled : [];
    if (c?.observed) return reach;
    const servers = reach.filter((n) => m.instances.get(n)?.role === 'server');
    return servers.length ? servers : [...m.instances.values()].filter((i) => i.role === 'echo').map((i) => i.name);
  };
  const expectations: ExpectStep[] = parseExpectations(ctx, expects, { echoesAt, observed: new Set(observed.map((o) => o.name)) });
  // Only the clients that parsed can be judged; a problem in one was reported already.
  const known = new Set([...clients.map((c) => c.name), ...observed.map((o) => o.name)]);
  const planned = planExpectations({
    durationMs: ctx.durationMs,
    bucketMs: BUCKET_MS,
    expectations: expectations.filter((e) => known.has(e.client)),
    timeline: built.timeline,
    fronts,
  });
  for (const p of planned.problems) problems.push(ctx.fail(['steps', p.index, ...p.path], `${describePath(['steps', p.index, ...p.path])}: ${p.message}`));

  const error = fileErrors(problems);
  if (error) throw error;
  const steps: Step[] = [...actions, ...expectations].sort((a, b) => a.atMs - b.atMs || a.index - b.index);
  return {
    file,
    text,
    name: value.name,
    description: value.description,
    grfc: value.grfc ?? [],
    durationMs: ctx.durationMs,
    sandbox,
    router: usesRouter,
    clients,
    observed,
    steps,
    timeline: built.timeline,
    fronts,
    plans: planned.plans,
  };
}

/** What steps may name in a sandbox: its instances (with their roles), the clients, the echo servers' zones. */
export function namesOf(t: Topology, clients: Iterable<string>, ownClients: Iterable<string> = []): Names {
  return {
    // A server's sidecar is the lab's part of it: steps name the server (kill: greeter-2).
    instances: new Map(t.instances.filter((i) => i.role !== 'sidecar').map((i) => [i.name, i.role])),
    clients: new Set(clients),
    ownClients: new Set(ownClients),
    zones: t.instances.filter((i) => i.role === 'echo').map((i) => i.zone),
  };
}
