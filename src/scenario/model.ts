// A loaded, checked scenario: what the player runs.
import type { TrafficClientSpec } from '../traffic/index.js';
import type { ActionDefinition } from './actions/index.js';
import type { Check } from './expectations/index.js';

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

export interface Scenario {
  file: string;
  text: string;
  name: string;
  description?: string;
  durationMs: number;
  echo?: number;
  /** Members of the etcd cluster the scenario asks for (sandbox.etcd). */
  etcd?: number;
  /** The scenario runs the proxy service (sandbox.proxy). */
  proxy?: boolean;
  /** A client dials {router}: the player runs the lab's gRPC router for the scenario. */
  router?: boolean;
  clients: TrafficClientSpec[];
  steps: Step[];
}
