// The model of the sandbox as a scenario's steps change it: which instances exist, in what state
// (running, frozen, exited, cut off), what each client is configured with, what the xDS control
// plane was given. Each action's `model` hook checks the state *at its time* and changes it, so a
// step that cannot run then (kill echo-5 before the scale that adds it, pause what was killed) is
// refused before anything starts, with what happened to the instance and when.
import type { Role, Topology } from '../../topology/index.js';
import { seconds } from '../../util/time-text.js';
import { MAX_ATTEMPTS_LIMIT } from '../../traffic/index.js';
import type { XdsPolicy } from '../../wire/index.js';

/** What Docker says of the container's process (unknown: after a signal it may or may not survive). */
export type ProcessState = 'running' | 'paused' | 'exited' | 'unknown';

export interface InstanceModel {
  name: string;
  role: Role;
  zone: string;
  hostAddress: string;
  service: string;
  process: ProcessState;
  /** Off the lab network (partition), until healed. */
  partitioned: boolean;
  /** Host clients reach it through its link proxy (an echo's x-lab.link-proxy; a server of yours' sidecar), where link faults happen. */
  linkProxy?: boolean;
  /** A graceful stop takes time: an exited process may still answer calls until then (scenario time). */
  upUntil?: number;
  /** In Consul's catalog (echo servers: a deregister step, a drain or a stop takes it out). */
  inConsul?: boolean;
  /** What its fault knobs and its link proxy do to every call to it; its sidecar's call faults, per method pattern. */
  faults?: { echo?: CallFloor; link?: CallFloor; calls?: CallRule[] };
  /** What last changed it, for messages ("killed at 10s, line 12"). */
  last?: Change;
}

/** What every call to a backend gets for sure: it fails, or it takes at least this long. */
export interface CallFloor {
  failsAll: boolean;
  latencyMs: number;
  /** The step that set it, for messages. */
  line: number;
}

/** A sidecar's call fault on a method pattern (/pkg.Svc/Method, /pkg.Svc/*, *): what it does for sure to each call it matches. */
export interface CallRule extends CallFloor {
  method: string;
}

/** The rule a call of `method` meets, as the sidecar picks it (the method's own, else its service's, else *); a client whose method the lab does not know (one you run) meets only *. */
export function callRuleFor(rules: readonly CallRule[] | undefined, method: string | undefined): CallRule | undefined {
  if (!rules?.length) return undefined;
  if (method === undefined) return rules.find((r) => r.method === '*');
  const service = method.slice(0, method.lastIndexOf('/'));
  return rules.find((r) => r.method === method) ?? rules.find((r) => r.method === `${service}/*`) ?? rules.find((r) => r.method === '*');
}

/** The floor every call of `method` to this backend meets now (none when no fault is set). */
export function floorOf(i: InstanceModel, method?: string): CallFloor | undefined {
  const { echo, link } = i.faults ?? {};
  const rule = callRuleFor(i.faults?.calls, method);
  const call = rule && (rule.failsAll || rule.latencyMs) ? rule : undefined;
  if (!echo && !link && !call) return undefined;
  const all = [echo, link, call].filter((f): f is CallFloor => !!f);
  return {
    failsAll: all.some((f) => f.failsAll),
    latencyMs: all.reduce((ms, f) => ms + f.latencyMs, 0),
    line: (call ?? link ?? echo)!.line,
  };
}

/** A change a step made, as messages name it. */
export interface Change {
  verb: string;
  atMs: number;
  line: number;
}

export interface ClientModel {
  name: string;
  /** A client the user runs (run:): seen from the servers' side only. */
  observed: boolean;
  target?: string;
  /** Its service config's most attempts per call (1 without a retry or hedging policy). */
  maxAttempts: number;
  /** The method of a server of yours it calls (/pkg.Svc/Method), when it calls one. */
  method?: string;
  rate?: number;
  deadlineMs?: number;
}

export interface XdsModel {
  /** The policy the control plane serves at this moment: the pushes so far, applied as the xds action applies them. */
  policy: XdsPolicy;
}

/** Attempts per call the policy's retry allows (1: none). */
export const xdsMaxAttempts = (p: XdsPolicy): number => (p.retry ? Math.min(MAX_ATTEMPTS_LIMIT, p.retry.numRetries + 1) : 1);

/** The sandbox at one moment of the run. */
export interface SandboxModel {
  atMs: number;
  instances: Map<string, InstanceModel>;
  /** Instances a scale step removed: when, for messages. */
  gone: Map<string, Change>;
  clients: Map<string, ClientModel>;
  xds: XdsModel;
  /** etcd members killed by kill-leader (which one is known only when it runs). */
  leaderKills: number;
}

export function cloneModel(m: SandboxModel, atMs: number): SandboxModel {
  return {
    atMs,
    instances: new Map([...m.instances].map(([k, v]) => [k, { ...v, ...(v.faults ? { faults: { ...v.faults } } : {}) }])),
    gone: new Map(m.gone),
    clients: new Map([...m.clients].map(([k, v]) => [k, { ...v }])),
    xds: { policy: m.xds.policy },
    leaderKills: m.leaderKills,
  };
}

export function instancesOf(t: Topology): Map<string, InstanceModel> {
  return new Map(
    t.instances
      .filter((i) => i.role !== 'sidecar')
      .map((i) => [
        i.name,
        {
          name: i.name,
          role: i.role,
          zone: i.zone,
          hostAddress: i.hostAddress,
          service: i.service,
          process: 'running' as ProcessState,
          partitioned: false,
          ...(i.role === 'echo' ? { inConsul: true, linkProxy: i.linkPort > 0 } : i.role === 'server' ? { inConsul: true, linkProxy: true } : {}),
        },
      ]),
  );
}

const PROCESS_WORDS: Record<ProcessState, string> = { running: 'running', paused: 'frozen', exited: 'not running', unknown: 'in an unknown state' };

export const processWords = (p: ProcessState) => PROCESS_WORDS[p];

/** "killed at 10s (line 12)": what last changed an instance. */
export const changeText = (c: Change) => `${c.verb} at ${seconds(c.atMs)} (line ${c.line})`;

/**
 * What an action's model hook works with: the sandbox at the step's time (a copy the hook may
 * change) and the words for a problem. Problems are returned as strings; the parser places them.
 */
export class SandboxDraft {
  constructor(
    readonly model: SandboxModel,
    /** The step's own change, for what later steps say of it. */
    private readonly step: { atMs: number; line: number },
    /** The echo instances of a sandbox with this many (a scale step). */
    private readonly echoesFor: (n: number) => InstanceModel[],
  ) {}

  get atMs(): number {
    return this.model.atMs;
  }

  /** The instance at this time, or the problem: it does not exist yet, or was scaled away. */
  present(name: string): InstanceModel | string {
    const inst = this.model.instances.get(name);
    if (inst) return inst;
    const gone = this.model.gone.get(name);
    const at = seconds(this.model.atMs);
    if (gone) return `${name} does not exist at ${at}: it was ${changeText(gone)}`;
    return `${name} does not exist at ${at} (the sandbox has ${this.echoCount()} echo servers then; a scale step must add it first)`;
  }

  /** The line of the step being modelled. */
  get line(): number {
    return this.step.line;
  }

  /** The instance, when its process is in one of `states`; otherwise what it is and what made it so. */
  need(name: string, states: ProcessState[], doing: string): InstanceModel | string {
    const inst = this.present(name);
    if (typeof inst === 'string') return inst;
    if (inst.process === 'unknown' || states.includes(inst.process)) return inst;
    return `${this.stateText(inst)}; there is nothing to ${doing}`;
  }

  /** The instance when its own control port answers: running and on the network. */
  reachable(name: string, doing: string): InstanceModel | string {
    const inst = this.present(name);
    if (typeof inst === 'string') return inst;
    // A server of yours is reached through its sidecar, which stays when the server is killed or frozen.
    if (inst.process !== 'running' && inst.process !== 'unknown' && inst.role !== 'server')
      return `${this.stateText(inst)}; the lab cannot reach it to ${doing}`;
    if (inst.partitioned)
      return `${name} is cut off the lab network at ${seconds(this.model.atMs)}${inst.last ? `: it was ${changeText(inst.last)}` : ''}; the lab cannot reach it to ${doing}`;
    return inst;
  }

  /** "echo-1 is not running at 8s (killed at 3s, line 12)". */
  private stateText(inst: InstanceModel): string {
    return `${inst.name} is ${processWords(inst.process)} at ${seconds(this.model.atMs)}${inst.last ? `: it was ${changeText(inst.last)}` : ''}`;
  }

  /** Records what the step did to an instance. */
  set(inst: InstanceModel, change: Partial<Pick<InstanceModel, 'process' | 'partitioned' | 'upUntil' | 'inConsul' | 'faults'>>, verb: string): void {
    if (change.process && change.process !== 'exited') change = { upUntil: undefined, ...change };
    Object.assign(inst, change, { last: { verb, atMs: this.step.atMs, line: this.step.line } });
  }

  echoCount(): number {
    return [...this.model.instances.values()].filter((i) => i.role === 'echo').length;
  }

  /** Brings the echo servers to `n`: new ones start, extras go (the names a scale step uses). */
  scaleTo(n: number): void {
    const want = new Map(this.echoesFor(n).map((i) => [i.name, i]));
    for (const [name, inst] of this.model.instances) {
      if (inst.role !== 'echo' || want.has(name)) continue;
      this.model.instances.delete(name);
      this.model.gone.set(name, { verb: `scaled away by scale: { echo: ${n} }`, atMs: this.step.atMs, line: this.step.line });
    }
    for (const [name, inst] of want) {
      if (this.model.instances.has(name)) continue;
      this.model.gone.delete(name);
      this.model.instances.set(name, { ...inst, last: { verb: 'added by a scale step', atMs: this.step.atMs, line: this.step.line } });
    }
  }

  /** Running etcd members, less those kill-leader took: a leader needs more than half. */
  etcdQuorum(): { running: number; members: number } {
    const members = [...this.model.instances.values()].filter((i) => i.role === 'etcd');
    const running = members.filter((i) => (i.process === 'running' || i.process === 'unknown') && !i.partitioned).length - this.model.leaderKills;
    return { running, members: members.length };
  }
}
