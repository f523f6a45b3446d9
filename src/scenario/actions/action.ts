// A scenario action: the contract and the registry. Each kind lives in its own file, which exports
// its definition as default (built with defineAction); the registry is filled once, from the list
// `npm run build` generates of this folder, by setup(). Every action really happens (a signal, a
// docker pause, a revoked lease, a check that fails) and says how to undo itself.
import { z } from 'zod';
import type { ControlClient } from '../../grpc/index.js';
import type { ContainerInfo, ContainerRuntime, Reach } from '../../sandbox/index.js';
import type { Role, Topology } from '../../topology/index.js';
import type { ServiceConfigJson } from '../../traffic/index.js';
import type { XdsControl } from '../../xds/index.js';
import type { GrpcRouter } from '../../router/index.js';
import type { SandboxDraft } from '../timeline/sandbox-model.js';

export interface ActionContext {
  rt: ContainerRuntime;
  /** The address this process dials for one of the sandbox's (the engine's). */
  reach: Reach;
  topology: Topology;
  /** The labelled container of an instance (echo-2, etcd, consul). */
  container(instance: string): Promise<ContainerInfo>;
  /** The control client of an echo server (closed by the player). */
  control(instance: string): ControlClient;
  /** The control client of the xDS control plane (throws when the sandbox has none). */
  xds(): XdsControl;
  /** The lab's gRPC router this run started (throws when no client dials {router}). */
  router(): GrpcRouter;
  /** Brings the sandbox to the topology with this many echo servers (waits until ready). */
  scaleTo(echo: number): Promise<void>;
  /** Replaces a traffic client's service config live (a new channel, the same name and series). */
  setServiceConfig(client: string, serviceConfig: ServiceConfigJson): ServiceConfigJson;
  /** Registers how to undo what was just done; undos run in reverse order when the scenario ends. */
  undo(what: string, fn: () => Promise<void>): void;
}

/** What a step may name: the sandbox's instances with their roles, and the scenario's clients. */
export interface Names {
  instances: ReadonlyMap<string, Role>;
  clients: ReadonlySet<string>;
  /** Clients the user runs (run:): they choose their own balancer. */
  ownClients?: ReadonlySet<string>;
  /** The echo servers' zones (xDS localities). */
  zones?: ReadonlyArray<string>;
}

export interface ActionDefinition<Arg = unknown, Resolved = Arg> {
  /** The step's key: `kill: echo-2`. */
  kind: string;
  /** What it does, in one line (lab schema, --help, the README's table). */
  summary: string;
  /** How it is written in a step, for the docs: `kill: echo-2`. */
  example: string;
  /** The argument's shape: what the file parser checks and `lab schema` shows. */
  arg: z.ZodType<Arg>;
  /** Checks what the shape cannot (names that must exist, roles) and gives what run takes; a string or an ArgProblem is the error. */
  resolve(arg: Arg, names: Names): Resolved | string | ArgProblem;
  describe(arg: Resolved): string;
  /**
   * What it does to the model of the sandbox (lab check, lab play), given the sandbox as the
   * scenario has it at the step's time: changes the draft, or says why it cannot run then (the
   * instance does not exist yet, or is in a state the action does not apply to).
   */
  model(arg: Resolved, sandbox: SandboxDraft): void | string | ArgProblem;
  /** Does it; may say what it found out (kill-leader: which member it killed). */
  run(arg: Resolved, ctx: ActionContext): Promise<void | string>;
}

// A definition's types are its own; the registry holds them as one shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAction = ActionDefinition<any, any>;

/** What a definition is written as: `resolve` may be left out when run takes the argument as it is. */
interface DefinitionInput<S extends z.ZodType, R> {
  kind: string;
  summary: string;
  example: string;
  arg: S;
  resolve?: (arg: z.output<S>, names: Names) => R | string | ArgProblem;
  describe: (arg: R) => string;
  model: (arg: R, sandbox: SandboxDraft) => void | string | ArgProblem;
  run: (arg: R, ctx: ActionContext) => Promise<void | string>;
}

/** Builds a definition; `resolve` defaults to taking the argument as it is. `model` is required: every step is checked at its time. */
export function defineAction<S extends z.ZodType, R>(
  def: DefinitionInput<S, R> & Pick<Required<DefinitionInput<S, R>>, 'resolve'>,
): ActionDefinition<z.output<S>, R>;
export function defineAction<S extends z.ZodType>(def: DefinitionInput<S, z.output<S>>): ActionDefinition<z.output<S>>;
export function defineAction(def: DefinitionInput<z.ZodType, unknown>): ActionDefinition {
  return { ...def, resolve: def.resolve ?? ((a) => a) };
}

const registry = new Map<string, AnyAction>();

export function registerAction(def: AnyAction): void {
  registry.set(def.kind, def);
}

export function getAction(kind: string): AnyAction | undefined {
  return registry.get(kind);
}

/** Every registered kind, in registration order (the generated list is sorted by file name). */
export function actionKinds(): string[] {
  return [...registry.keys()];
}

export function actionDefinitions(): AnyAction[] {
  return [...registry.values()];
}

/** Checks a raw argument the way a scenario file's would be (shape, then names): for the view's keys. */
export function parseActionArg(def: AnyAction, raw: unknown, names: Names): unknown {
  const r = def.arg.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    return `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`;
  }
  const resolved = def.resolve(r.data, names);
  if (resolved instanceof ArgProblem) return `${resolved.path.length ? `${resolved.path.join('.')}: ` : ''}${resolved.message}`;
  return resolved;
}

/** The names of one role, for messages: "echo-1, echo-2, echo-3". */
export function namesOfRole(names: Names, role?: Role): string[] {
  return [...names.instances].filter(([, r]) => !role || r === role).map(([n]) => n);
}

const ROLE_WORDS: Record<string, string> = {
  echo: 'an echo server',
  etcd: 'an etcd member',
  consul: 'Consul',
  proxy: 'the proxy',
  xds: 'the xDS control plane',
  server: 'a server of yours',
};

const ROLE_NOUNS: Record<string, string> = {
  echo: 'echo server',
  etcd: 'etcd member',
  consul: 'Consul',
  proxy: 'proxy',
  xds: 'xDS control plane',
  server: 'server of yours',
};

/** A problem resolve() found, at a place inside the argument (at its key when `key` is set): reported at that file position. */
export class ArgProblem {
  constructor(
    readonly message: string,
    readonly path: ReadonlyArray<string | number> = [],
    readonly key = false,
  ) {}
}

/** Checks that `name` is an instance (of `role`, when given); the problem lists the valid ones and sits at `path`. */
export function checkTarget(names: Names, name: string, role?: Role, path: ReadonlyArray<string | number> = [], key = false): ArgProblem | undefined {
  const valid = namesOfRole(names, role);
  if (!names.instances.has(name))
    return new ArgProblem(`${role ? `no ${ROLE_NOUNS[role]} named` : 'unknown service'} "${name}" (the sandbox has ${valid.join(', ')})`, path, key);
  if (role === 'echo' && names.instances.get(name) === 'server')
    return new ArgProblem(
      `"${name}" is a server of yours: this step works the echo's own knobs, which only echo servers have (${valid.join(', ')}); its sidecar delays and aborts its calls with grpc-fault`,
      path,
      key,
    );
  if (role && names.instances.get(name) !== role)
    return new ArgProblem(`"${name}" is not ${ROLE_WORDS[role]} (${valid.length ? `those are ${valid.join(', ')}` : 'the sandbox has none'})`, path, key);
  return undefined;
}

/** Checks that `name` is a backend whose link and health the lab works: an echo server, or a server of yours (through its sidecar). */
export function checkBackend(names: Names, name: string, path: ReadonlyArray<string | number> = [], key = false): ArgProblem | undefined {
  const role = names.instances.get(name);
  if (role === 'echo' || role === 'server') return undefined;
  const servers = namesOfRole(names, 'server');
  if (servers.length === 0) return checkTarget(names, name, 'echo', path, key);
  const valid = [...namesOfRole(names, 'echo'), ...servers];
  return new ArgProblem(
    names.instances.has(name)
      ? `"${name}" is neither an echo server nor a server of yours (those are ${valid.join(', ')})`
      : `no echo server or server of yours named "${name}" (the sandbox has ${valid.join(', ')})`,
    path,
    key,
  );
}

/** A step's target that is a backend: an echo server, or a server of yours (its sidecar acts for it). */
export const backendTarget = (name: string, names: Names): { target: string } | ArgProblem => checkBackend(names, name) ?? { target: name };

/** The common argument: one instance name, e.g. `kill: echo-2` (of `role`, when given). */
export const instanceName = z.string().min(1, 'expected a service name such as echo-2');

export function targetOf(role?: Role) {
  return (name: string, names: Names): { target: string } | ArgProblem => checkTarget(names, name, role) ?? { target: name };
}

/** `{ echo-2: <value> }`: a mapping with exactly one echo server as its key. */
export function oneEchoEntry<V extends z.ZodType>(value: V, what: string) {
  // The count first: `{ target: echo-1, weight: 3 }` is the wrong form, not a wrong weight.
  return z
    .record(z.string(), z.unknown())
    .refine((r) => Object.keys(r).length === 1, { message: `expected one entry, { <echo server>: ${what} }` })
    .pipe(z.record(z.string(), value));
}
