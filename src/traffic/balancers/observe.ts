// lab_observe: wraps any balancer (built-in or ours) to report, exactly and per attempt, which
// backend each pick went to, and every subchannel's connectivity changes. The driver puts it
// around the user's loadBalancingConfig: {"lab_observe": {"client": "<id>", "childPolicy": [...]}}.
import { connectivityState as ConnectivityState, experimental, type ChannelOptions } from '@grpc/grpc-js';
import { CALL_ID_HEADER } from '../../wire/index.js';
import { sinkFor, type ClientSink } from '../sink.js';
import { childPolicyOf, LabSubchannelWrapper, WrapperBalancer } from './wrapper-balancer.js';

const NAME = 'lab_observe';

class ObserveConfig implements experimental.TypedLoadBalancingConfig {
  constructor(
    readonly client: string,
    readonly child: experimental.TypedLoadBalancingConfig,
    /** Whether to report address lists: false below an xDS client's localities (each sees a part of the list). */
    readonly resolution = true,
  ) {}
  getLoadBalancerName(): string {
    return NAME;
  }
  toJsonObject(): object {
    return { [NAME]: { client: this.client, childPolicy: [this.child.toJsonObject()], resolution: this.resolution } };
  }
  static createFromJson(obj: { client?: unknown; childPolicy?: unknown; resolution?: unknown }): ObserveConfig {
    return new ObserveConfig(String(obj.client ?? ''), childPolicyOf(NAME, obj.childPolicy), obj.resolution !== false);
  }
}

/** Reports its subchannel's state changes while referenced; stops when released. */
class ObservedSubchannel extends LabSubchannelWrapper {
  private readonly onState: experimental.ConnectivityStateListener;

  constructor(child: experimental.SubchannelInterface, getSink: () => ClientSink | undefined) {
    super(child);
    this.onState = (sc, previous, next) =>
      getSink()?.report({ type: 'subchannel', address: sc.getAddress(), state: ConnectivityState[next], previous: ConnectivityState[previous] });
    child.addConnectivityStateListener(this.onState);
  }

  protected override destroy(): void {
    this.child.removeConnectivityStateListener(this.onState);
    super.destroy();
  }
}

class ObservingPicker implements experimental.Picker {
  constructor(
    private readonly inner: experimental.Picker,
    private readonly sink: ClientSink | undefined,
  ) {}
  pick(args: experimental.PickArgs): experimental.PickResult {
    const result = this.inner.pick(args);
    if (this.sink && result.pickResultType === experimental.PickResultType.COMPLETE && result.subchannel) {
      const id = args.metadata.get(CALL_ID_HEADER)[0];
      if (id !== undefined) this.sink.picked(String(id), result.subchannel.getAddress());
    }
    return result;
  }
}

class ObserveLoadBalancer extends WrapperBalancer {
  private sink?: ClientSink;

  protected overrides(helper: experimental.ChannelControlHelper): Partial<experimental.ChannelControlHelper> {
    return {
      createSubchannel: (address, args) => new ObservedSubchannel(helper.createSubchannel(address, args), () => this.sink),
      updateState: (state, picker, error) => helper.updateState(state, new ObservingPicker(picker, this.sink), error),
    };
  }

  updateAddressList(
    endpoints: experimental.StatusOr<experimental.Endpoint[]>,
    config: experimental.TypedLoadBalancingConfig,
    options: ChannelOptions,
    note: string,
  ): boolean {
    if (!(config instanceof ObserveConfig)) return false;
    this.sink = sinkFor(options);
    // The one place resolution results are reported, whichever resolver produced them (dns: too).
    if (!config.resolution) {
      // an xDS locality's part of the list: the control plane's status says what the client holds
    } else if (endpoints.ok) {
      const addresses = endpoints.value.flatMap((e) => e.addresses.map((a) => experimental.subchannelAddressToString(a)));
      this.sink?.report({ type: 'resolution', addresses, note });
    } else this.sink?.report({ type: 'resolver-error', message: endpoints.error.details });
    return this.child.updateAddressList(endpoints, config.child, options, note);
  }

  getTypeName(): string {
    return NAME;
  }
}

export function setup(): void {
  experimental.registerLoadBalancerType(NAME, ObserveLoadBalancer, ObserveConfig);
}

/** Wraps a loadBalancingConfig list so that `client` observes it. */
export function observed(client: string, loadBalancingConfig: object[]): object[] {
  return [{ [NAME]: { client, childPolicy: loadBalancingConfig } }];
}
