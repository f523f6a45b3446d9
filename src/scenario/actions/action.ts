// A scenario action: the contract and the registry. Each kind lives in its own file and registers
// itself; every action really happens (a signal, a docker pause, a revoked lease, a check that
// fails), and says how to undo itself when the scenario ends.
import type { ControlClient } from '../../grpc/protos.js';
import type { ServiceConfigJson } from '../../traffic/index.js';
import type { ContainerInfo, ContainerRuntime } from '../../sandbox/runtime/container-runtime.js';
import type { Topology } from '../../topology/types.js';
import type { ActionKind } from './kinds.js';

export interface ActionContext {
  rt: ContainerRuntime;
  topology: Topology;
  /** The labelled container of an instance (echo-2, etcd, consul). */
  container(instance: string): Promise<ContainerInfo>;
  /** The control client of an echo server (closed by the player). */
  control(instance: string): ControlClient;
  /** Brings the sandbox to the topology with this many echo servers (waits until ready). */
  scaleTo(echo: number): Promise<void>;
  /** Replaces a traffic client's service config live (a new channel, the same name and series). */
  setServiceConfig(client: string, serviceConfig: ServiceConfigJson): ServiceConfigJson;
  /** Registers how to undo what was just done; undos run in reverse order when the scenario ends. */
  undo(what: string, fn: () => Promise<void>): void;
}

/** What a step may name: the sandbox's services and the scenario's clients. */
export interface Names {
  instances: ReadonlySet<string>;
  clients: ReadonlySet<string>;
}

export interface ActionDefinition<A = unknown> {
  kind: ActionKind;
  /** Checks the step's argument against the names it may use; a string is the error to report. */
  parse(raw: unknown, names: Names): A | string;
  describe(arg: A): string;
  /** Does it; may say what it found out (kill-leader: which member it killed). */
  run(arg: A, ctx: ActionContext): Promise<void | string>;
}

const registry = new Map<ActionKind, ActionDefinition<never>>();

export function registerAction<A>(def: ActionDefinition<A>): void {
  registry.set(def.kind, def as unknown as ActionDefinition<never>);
}

export function getAction(kind: ActionKind): ActionDefinition<unknown> | undefined {
  return registry.get(kind) as ActionDefinition<unknown> | undefined;
}

/** The common argument: one instance name that must exist. */
export function instanceArg(raw: unknown, instances: ReadonlySet<string>, only?: (name: string) => boolean, what = 'a service'): string | { target: string } {
  if (typeof raw !== 'string') return `expected ${what} name (${[...instances].join(', ')}), found ${JSON.stringify(raw)}`;
  if (!instances.has(raw)) return `unknown service "${raw}" (the sandbox has ${[...instances].join(', ')})`;
  if (only && !only(raw)) return `"${raw}" is not ${what}`;
  return { target: raw };
}

export const isEcho = (name: string) => /^echo-\d+$/.test(name);
