// The run's timeline, built once from the topology and the scenario before anything starts: the
// sandbox after every action step, in the order the player runs them (by time, then by place in the
// file). Each action's model hook is given the sandbox as it is at the step's time; what it refuses
// is a problem at that step. `lab check`, `lab check --explain` and `lab play` all use this model.
import type { Topology } from '../../topology/index.js';
import { maxAttemptsOf, type TrafficClientSpec } from '../../traffic/index.js';
import { DEFAULT_POLICY } from '../../wire/index.js';
import { seconds } from '../../util/time-text.js';
import { ArgProblem } from '../actions/index.js';
import type { ActionStep, ObservedClientSpec } from '../model.js';
import type { TimelineView } from './plan.js';
import { cloneModel, instancesOf, SandboxDraft, type ClientModel, type SandboxModel } from './sandbox-model.js';

export interface TimelineProblem {
  index: number;
  /** Where under the step: the action's key, and inside its argument. */
  path: PropertyKey[];
  key: boolean;
  message: string;
}

export interface Timeline extends TimelineView {
  start: SandboxModel;
  /** The sandbox after each action step (a refused step changes nothing). */
  after: Array<{ step: ActionStep; model: SandboxModel }>;
}

/** What a step acts on: an instance, a client, or the sandbox part it changes (the xDS policy, the echo servers' count, etcd's leader). */
function subjectOf(step: ActionStep): string {
  const arg = step.arg as { target?: unknown; client?: unknown } | null;
  if (typeof arg?.target === 'string') return arg.target;
  if (typeof arg?.client === 'string') return `client ${arg.client}`;
  const parts: Record<string, string> = { xds: 'the xDS policy', 'xds-nack': 'the xDS policy', scale: 'the echo servers', 'kill-leader': 'the etcd cluster' };
  return parts[step.action.kind] ?? step.action.kind;
}

export function clientModels(clients: TrafficClientSpec[], observed: ObservedClientSpec[]): Map<string, ClientModel> {
  return new Map<string, ClientModel>([
    ...clients.map((c): [string, ClientModel] => [
      c.name,
      {
        name: c.name,
        observed: false,
        target: c.target,
        maxAttempts: maxAttemptsOf(c.serviceConfig),
        rate: c.rate,
        deadlineMs: c.deadlineMs,
        method: c.method,
      },
    ]),
    ...observed.map((o): [string, ClientModel] => [o.name, { name: o.name, observed: true, maxAttempts: 1 }]),
  ]);
}

export function buildTimeline(opts: {
  topology: Topology;
  /** The topology with this many echo servers (a scale step). */
  topologyFor: (echo: number) => Topology;
  clients: Map<string, ClientModel>;
  actions: ActionStep[];
}): { timeline: Timeline; problems: TimelineProblem[] } {
  const start: SandboxModel = {
    atMs: 0,
    instances: instancesOf(opts.topology),
    gone: new Map(),
    clients: opts.clients,
    xds: { policy: DEFAULT_POLICY },
    leaderKills: 0,
  };
  const echoesFor = (n: number) => [...instancesOf(opts.topologyFor(n)).values()].filter((i) => i.role === 'echo');
  const after: Timeline['after'] = [];
  const problems: TimelineProblem[] = [];
  let current = start;
  const sorted = [...opts.actions].sort((a, b) => a.atMs - b.atMs || a.index - b.index);
  // Steps at the same time run at once (the player starts each at its time and does not wait): two
  // on the same thing race, and which wins is chance.
  const seen = new Map<string, ActionStep>();
  for (const step of sorted) {
    const key = `${step.atMs}|${subjectOf(step)}`;
    const twin = seen.get(key);
    if (twin) {
      problems.push({
        index: step.index,
        path: [step.action.kind],
        key: true,
        message: `it acts on ${subjectOf(step)} at ${seconds(step.atMs)}, as the step at line ${twin.line} does: steps at the same time run at once, in no set order; give one a later time`,
      });
      after.push({ step, model: current });
      continue;
    }
    seen.set(key, step);
    const next = cloneModel(current, step.atMs);
    const got = step.action.model(step.arg, new SandboxDraft(next, { atMs: step.atMs, line: step.line }, echoesFor));
    if (got === undefined) current = next;
    else if (got instanceof ArgProblem) problems.push({ index: step.index, path: [step.action.kind, ...got.path], key: got.key, message: got.message });
    else problems.push({ index: step.index, path: [step.action.kind], key: false, message: got });
    after.push({ step, model: current });
  }
  const at = (ms: number): SandboxModel => {
    let m = start;
    for (const a of after) if (a.step.atMs <= ms) m = a.model;
    return m;
  };
  return {
    timeline: {
      start,
      after,
      at,
      changesAt: () => [...new Set(after.map((a) => a.step.atMs))],
      // Calls in (from, to] see the sandbox as it is at `from` and as steps inside change it; a step
      // at `to` itself acts on calls after it.
      during(fromMs, toMs) {
        const out = [at(fromMs)];
        for (const a of after) if (a.step.atMs > fromMs && a.step.atMs < toMs) out.push(a.model);
        return out;
      },
    },
    problems,
  };
}
