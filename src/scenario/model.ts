// A loaded, checked scenario: what the player runs.
import type { TrafficClientSpec } from '../traffic/index.js';
import type { ActionDefinition } from './actions/index.js';
import type { Check } from './expectations/index.js';
import type { Timeline } from './timeline/build.js';
import type { ExpectPlan } from './timeline/plan.js';
import type { Fronts } from './timeline/reach.js';

export interface ActionStep {
  kind: 'action';
  index: number;
  atMs: number;
  line: number;
  action: ActionDefinition<unknown>;
  arg: unknown;
  text: string;
}

export interface ExpectStep {
  kind: 'expect';
  index: number;
  atMs: number;
  line: number;
  client: string;
  checks: Check[];
  /** Must hold by atMs + withinMs and keep holding for settleMs. */
  withinMs?: number;
  /** Must hold in every window for this long (Infinity: to the end). */
  alwaysMs?: number;
  settleMs: number;
  windowMs: number;
  text: string;
}

export type Step = ActionStep | ExpectStep;

/** A scenario's `sandbox:`: how many echo servers, etcd's members, the proxy, the xDS control plane. */
export interface SandboxOverrides {
  echo?: number;
  etcd?: number;
  proxy?: boolean;
  xds?: boolean;
  /** The echo servers' max_connection_age (gRFC A9), in ms. */
  maxConnectionAgeMs?: number;
}

/** A client the user runs (any language): the lab starts it and watches its calls from the servers' side. */
export interface ObservedClientSpec {
  /** Its key in the scenario: what expectations and the view call it. */
  name: string;
  /** The x-lab-client metadata its calls carry (its untagged calls count too when it is the only one). */
  tag: string;
  /** The command line (run with sh -c). */
  run: string;
  /** The folder it runs in: the scenario file's. */
  cwd: string;
  /** Between SIGTERM and SIGKILL at the end. */
  graceMs: number;
}

export interface Scenario {
  file: string;
  text: string;
  name: string;
  description?: string;
  /** The gRFCs it shows (`grfc: [A9, A62]`). */
  grfc: string[];
  durationMs: number;
  /** What the scenario asks of the sandbox beyond compose/lab.yaml (`sandbox:`). */
  sandbox: SandboxOverrides;
  /** A client dials {router}: the player runs the lab's gRPC router for the scenario. */
  router?: boolean;
  clients: TrafficClientSpec[];
  /** Clients the user runs, watched from the servers' side. */
  observed: ObservedClientSpec[];
  steps: Step[];
  /** The model of the run: the sandbox after every action, as the steps' times have it. */
  timeline: Timeline;
  /** The addresses in front of every echo server (HAProxy, the router): who a client reaches through them. */
  fronts: Fronts;
  /** Per expectation (by step index): the windows it is judged on, and when its verdict is known. */
  plans: Map<number, ExpectPlan>;
}
