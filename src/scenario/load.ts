// Loads a scenario file: YAML through the zod schema, then the checks that need the sandbox (service
// names, clients, service configs). Every problem names file:line:column and nothing starts.
import path from 'node:path';
import { FileError } from '../errors.js';
import type { Topology } from '../topology/types.js';
import { toMs as ms } from '../util/units.js';
import { parseYaml } from '../util/yaml-file.js';
import { readInputFile } from '../util/read-input.js';
import { actionKinds, type Names } from './actions/index.js';
import type { SandboxOverrides, Scenario } from './model.js';

/** The topology a scenario runs on, from compose/lab.yaml and the scenario's `sandbox:` overrides. */
export type TopologyFor = (sandbox: SandboxOverrides) => Topology;
import { parseClients } from './parse/clients.js';
import type { ParseContext } from './parse/context.js';
import { parseSteps } from './parse/steps.js';
import { scenarioSchema } from './schema.js';

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
  const sandbox: SandboxOverrides = value.sandbox ?? {};
  const topology = topologyFor(sandbox);
  // Steps may name what a `scale` step adds: names come from the largest sandbox the run will have.
  const echoesOf = (t: Topology) => t.instances.filter((i) => i.role === 'echo').map((i) => i.name);
  const scaled = value.steps.map((st) => (st as { scale?: { echo?: unknown } }).scale?.echo).filter((n): n is number => typeof n === 'number');
  const largest = Math.max(echoesOf(topology).length, ...scaled);
  const widest = largest > echoesOf(topology).length ? topologyFor({ ...sandbox, echo: largest }) : topology;
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
    ),
    echoes: echoesOf(widest),
    startEchoes: echoesOf(topology),
    durationMs: ms(value.duration),
    fail: (at, msg, key = false) => new FileError(positions.at(at, key ? 'key' : 'value'), msg),
  };
  const { clients, observed, usesRouter } = parseClients(ctx);
  const steps = parseSteps(ctx);
  return { file, text, name: value.name, description: value.description, durationMs: ctx.durationMs, sandbox, router: usesRouter, clients, observed, steps };
}

/** What steps may name in a sandbox: its instances (with their roles), the clients, the echo servers' zones. */
export function namesOf(t: Topology, clients: Iterable<string>): Names {
  return {
    instances: new Map(t.instances.map((i) => [i.name, i.role])),
    clients: new Set(clients),
    zones: t.instances.filter((i) => i.role === 'echo').map((i) => i.zone),
  };
}
