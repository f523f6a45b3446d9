// The shared shape of the lab's balancers: one leaf (pick_first) per endpoint, all kept connected
// (as grpc-js round_robin does), the channel state derived from the children's in one place, and
// a picker that asks the policy for an endpoint among the READY ones. The base tracks in-flight
// calls and each call's outcome per endpoint, so a policy is just a choose() function.
import { connectivityState as ConnectivityState, experimental, status, type ChannelOptions } from '@grpc/grpc-js';
import { attributesOf, weightOf, type EndpointAttributes } from '../resolvers/endpoint-attributes.js';
import { describeBalancer } from './catalog.js';

/** What a policy sees of one endpoint; the object lives as long as the endpoint stays listed. */
export interface EndpointState {
  readonly address: string;
  weight: number;
  attributes?: EndpointAttributes;
  inFlight: number;
  /** Policy-owned scratch state (smooth-WRR weights, EWMA lag, ...). */
  policy: Record<string, number>;
}

export interface CallOutcome {
  code: number;
  latencyMs: number;
}

/** A balancing policy over READY endpoints. `choose` never sees an empty list. */
export interface PickPolicy {
  /** Whether the policy reads inFlight or wants onCallEnded (the picker tracks calls only then). */
  tracksCalls?: boolean;
  /** Called whenever the READY set or the weights change (rebuild rings, reset rotations). */
  rebuild?(ready: EndpointState[]): void;
  /** The index of the chosen endpoint in `ready`. */
  choose(ready: EndpointState[], args: experimental.PickArgs): number;
  onCallEnded?(endpoint: EndpointState, outcome: CallOutcome): void;
}

interface Child {
  leaf: experimental.LeafLoadBalancer;
  state: EndpointState;
}

const addressOf = (e: experimental.Endpoint) => experimental.subchannelAddressToString(e.addresses[0]);

class PolicyPicker implements experimental.Picker {
  private readonly states: EndpointState[];

  constructor(
    private readonly ready: Array<{ state: EndpointState; picker: experimental.Picker }>,
    private readonly policy: PickPolicy,
  ) {
    this.states = ready.map((r) => r.state);
  }

  pick(args: experimental.PickArgs): experimental.PickResult {
    const entry = this.ready[this.policy.choose(this.states, args)] ?? this.ready[0];
    const result = entry.picker.pick(args);
    if (!this.policy.tracksCalls || result.pickResultType !== experimental.PickResultType.COMPLETE) return result;
    const state = entry.state;
    const policy = this.policy;
    const started = performance.now();
    const innerStarted = result.onCallStarted;
    const innerEnded = result.onCallEnded;
    return {
      pickResultType: result.pickResultType,
      subchannel: result.subchannel,
      status: result.status,
      onCallStarted: () => {
        state.inFlight++;
        innerStarted?.();
      },
      onCallEnded: (code, details, metadata) => {
        state.inFlight = Math.max(0, state.inFlight - 1);
        policy.onCallEnded?.(state, { code, latencyMs: performance.now() - started });
        innerEnded?.(code, details, metadata);
      },
    };
  }
}

export abstract class EndpointBalancer implements experimental.LoadBalancer {
  private children = new Map<string, Child>();
  private currentState: ConnectivityState = ConnectivityState.IDLE;
  private lastError: string | null = null;
  private updatesPaused = false;
  private readonly childHelper: experimental.ChannelControlHelper;
  protected abstract readonly policy: PickPolicy;

  constructor(private readonly helper: experimental.ChannelControlHelper) {
    this.childHelper = experimental.createChildChannelControlHelper(helper, {
      updateState: (_state, _picker, error) => {
        if (error) this.lastError = error;
        this.calculateAndUpdateState();
      },
    });
  }

  abstract getTypeName(): string;

  /** Subclasses check their config type and may read it before the list is applied. */
  protected abstract acceptConfig(config: experimental.TypedLoadBalancingConfig): boolean;

  updateAddressList(
    endpoints: experimental.StatusOr<experimental.Endpoint[]>,
    config: experimental.TypedLoadBalancingConfig,
    options: ChannelOptions,
    note: string,
  ): boolean {
    if (!this.acceptConfig(config)) return false;
    if (!endpoints.ok) {
      if (this.children.size === 0)
        this.helper.updateState(ConnectivityState.TRANSIENT_FAILURE, new experimental.UnavailablePicker(endpoints.error), endpoints.error.details);
      return true;
    }
    this.updatesPaused = true;
    const next = new Map<string, Child>();
    for (const endpoint of endpoints.value) {
      const address = addressOf(endpoint);
      if (next.has(address)) continue;
      let child = this.children.get(address);
      if (child) child.leaf.updateEndpoint(endpoint, options);
      else {
        const state: EndpointState = { address, weight: 1, inFlight: 0, policy: {} };
        child = { leaf: new experimental.LeafLoadBalancer(endpoint, this.childHelper, options, note), state };
      }
      child.state.weight = weightOf(options, address, endpoint);
      child.state.attributes = attributesOf(options, address);
      next.set(address, child);
    }
    for (const [address, child] of this.children) if (!next.has(address)) child.leaf.destroy();
    this.children = next;
    for (const child of next.values()) child.leaf.startConnecting();
    this.updatesPaused = false;
    this.calculateAndUpdateState(true);
    return true;
  }

  /** Status is derived from the children, and published once (grpc-js round_robin's way). */
  private calculateAndUpdateState(force = false): void {
    if (this.updatesPaused) return;
    const children = [...this.children.values()];
    const ready = children.filter((c) => c.leaf.getConnectivityState() === ConnectivityState.READY);
    if (ready.length > 0) {
      const states = ready.map((c) => c.state);
      this.policy.rebuild?.(states);
      this.publish(
        ConnectivityState.READY,
        new PolicyPicker(
          ready.map((c) => ({ state: c.state, picker: c.leaf.getPicker() })),
          this.policy,
        ),
        null,
      );
    } else if (children.some((c) => c.leaf.getConnectivityState() === ConnectivityState.CONNECTING)) {
      this.publish(ConnectivityState.CONNECTING, new experimental.QueuePicker(this), null);
    } else if (children.some((c) => c.leaf.getConnectivityState() === ConnectivityState.TRANSIENT_FAILURE)) {
      const msg = `${this.getTypeName()}: no backend is ready. Last error: ${this.lastError}`;
      this.publish(ConnectivityState.TRANSIENT_FAILURE, new experimental.UnavailablePicker({ code: status.UNAVAILABLE, details: msg }), msg);
    } else if (children.length === 0 && force) {
      const msg = `${this.getTypeName()}: the resolver returned no addresses`;
      this.publish(ConnectivityState.TRANSIENT_FAILURE, new experimental.UnavailablePicker({ code: status.UNAVAILABLE, details: msg }), msg);
    } else {
      this.publish(ConnectivityState.IDLE, new experimental.QueuePicker(this), null);
    }
    // Keep every child connected (a leaf drops to IDLE when its connection ends).
    for (const c of children) if (c.leaf.getConnectivityState() === ConnectivityState.IDLE) c.leaf.exitIdle();
  }

  private publish(state: ConnectivityState, picker: experimental.Picker, error: string | null): void {
    if (this.currentState === ConnectivityState.READY && state !== ConnectivityState.READY) this.helper.requestReresolution();
    this.currentState = state;
    this.helper.updateState(state, picker, error);
  }

  exitIdle(): void {
    // Not startConnecting(): that re-feeds the leaf its address list, and the channel's QueuePicker
    // calls exitIdle on every queued pick, which would loop.
    for (const c of this.children.values()) c.leaf.exitIdle();
  }
  resetBackoff(): void {
    // As grpc-js round_robin: this policy has no backoff of its own (the leaves' LeafLoadBalancer
    // exposes none to reset).
  }
  destroy(): void {
    for (const c of this.children.values()) c.leaf.destroy();
    this.children.clear();
  }
}

/** A config class for a policy with JSON options; validates with `parse`, refusing unknown keys. */
export function configClass<T extends object>(name: string, parse: (json: Record<string, unknown>) => T, keys?: readonly string[]) {
  return class implements experimental.TypedLoadBalancingConfig {
    constructor(readonly options: T = parse({})) {}
    getLoadBalancerName(): string {
      return name;
    }
    toJsonObject(): object {
      return { [name]: this.options };
    }
    static createFromJson(obj: unknown): experimental.TypedLoadBalancingConfig {
      const json = (obj ?? {}) as Record<string, unknown>;
      const unknown = keys && Object.keys(json).find((k) => !keys.includes(k));
      if (unknown) throw new Error(`${name}: unknown option "${unknown}" (${keys.length ? `known: ${keys.join(', ')}` : 'it takes none'})`);
      return new this(parse(json));
    }
  };
}

/** A balancing policy: its name, its JSON config parser, and a factory of pickers' state. */
export interface PolicyDefinition<T extends object = object> {
  name: string;
  /** One line for --help and the README. */
  description: string;
  /** The option keys its JSON config takes; any other is refused. */
  keys: readonly string[];
  parse(json: Record<string, unknown>): T;
  make(options: T): PickPolicy;
}

/** Defines a policy; `.setup()` registers it with grpc-js (and lists it as the lab's). The definition is what unit tests drive. */
export function definePolicy<T extends object>(
  meta: { name: string; description: string; keys: readonly string[] },
  parse: (json: Record<string, unknown>) => T,
  make: (options: T) => PickPolicy,
): PolicyDefinition<T> & { setup(): void } {
  const def = { ...meta, parse, make };
  return { ...def, setup: () => registerPolicy(def) };
}

/** The lab's policies by name, as registered: what a balancer of grpc-js's runs, and what the router picks with. */
const definitions = new Map<string, PolicyDefinition<object>>();

/** A fresh policy of the lab's, from its JSON options (throws what is wrong with them), or undefined for a name that is not the lab's. */
export function pickPolicyFor(name: string, json: Record<string, unknown> = {}): PickPolicy | undefined {
  const def = definitions.get(name);
  if (!def) return undefined;
  const unknown = Object.keys(json).find((k) => !def.keys.includes(k));
  if (unknown) throw new Error(`${name}: unknown option "${unknown}" (${def.keys.length ? `known: ${def.keys.join(', ')}` : 'it takes none'})`);
  return def.make(def.parse(json));
}

function registerPolicy<T extends object>({ name, description, keys, parse, make: makePolicy }: PolicyDefinition<T>): void {
  definitions.set(name, { name, description, keys, parse, make: (o) => makePolicy(o as T) });
  const Config = configClass(name, parse, keys);
  class Balancer extends EndpointBalancer {
    protected policy: PickPolicy = makePolicy(parse({}));
    private optionsJson = '';
    getTypeName(): string {
      return name;
    }
    protected acceptConfig(config: experimental.TypedLoadBalancingConfig): boolean {
      if (!(config instanceof Config)) return false;
      const json = JSON.stringify(config.options);
      if (json !== this.optionsJson) {
        this.optionsJson = json;
        this.policy = makePolicy(config.options);
      }
      return true;
    }
  }
  describeBalancer(name, description); // first: it refuses a name grpc-js or grpc-js-xds has
  experimental.registerLoadBalancerType(name, Balancer, Config);
}

/** Reads a number option with bounds, for config parsers. */
export function numberOption(json: Record<string, unknown>, key: string, fallback: number, min: number, max: number, policy: string): number {
  const v = json[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
    throw new Error(`${policy}: ${key} must be a number from ${min} to ${max}, found ${JSON.stringify(v)}`);
  return v;
}
