// The shape shared by policies that wrap one child policy (lab_observe, health_checked): the child's
// config parsed from `childPolicy`, a ChildLoadBalancerHandler under a helper with some methods
// overridden, and the rest delegated.
import { experimental, type ChannelOptions } from '@grpc/grpc-js';

/** The child policy of a wrapper's JSON config (`childPolicy`, or the fallback when absent). */
export function childPolicyOf(policy: string, list: unknown, fallback?: object[]): experimental.TypedLoadBalancingConfig {
  const configs = list === undefined ? fallback : list;
  if (!Array.isArray(configs)) throw new Error(`${policy}: childPolicy must be a list of load balancing configs`);
  const child = experimental.selectLbConfigFromList(configs);
  if (!child) throw new Error(`${policy}: no known policy in childPolicy ${JSON.stringify(configs)}`);
  return child;
}

/**
 * A wrapper's subchannel. Its parent gets its own subchannel back from a pick, never this wrapper:
 * parents under xDS (xds_cluster_impl, outlier_detection) unwrap what they created themselves.
 */
export class LabSubchannelWrapper extends experimental.BaseSubchannelWrapper {
  constructor(readonly wrapped: experimental.SubchannelInterface) {
    super(wrapped);
  }
}

/** The child's picker, with the wrapper's own subchannels replaced by the parent's. */
class UnwrappingPicker implements experimental.Picker {
  constructor(private readonly inner: experimental.Picker) {}
  pick(args: experimental.PickArgs): experimental.PickResult {
    const r = this.inner.pick(args);
    return r.subchannel instanceof LabSubchannelWrapper ? ({ ...r, subchannel: r.subchannel.wrapped } as experimental.PickResult) : r;
  }
}

export abstract class WrapperBalancer implements experimental.LoadBalancer {
  protected readonly child: experimental.ChildLoadBalancerHandler;

  constructor(helper: experimental.ChannelControlHelper) {
    const own = this.overrides(helper);
    const updateState = own.updateState ?? helper.updateState.bind(helper);
    this.child = new experimental.ChildLoadBalancerHandler(
      experimental.createChildChannelControlHelper(helper, {
        ...own,
        updateState: (state, picker, error) => updateState(state, new UnwrappingPicker(picker), error),
      }),
    );
  }

  /**
   * What the wrapper changes in the child's helper. Called from the constructor, before the
   * subclass's fields exist: the functions it returns may read them only when they are called.
   */
  protected abstract overrides(parent: experimental.ChannelControlHelper): Partial<experimental.ChannelControlHelper>;

  abstract updateAddressList(
    endpoints: experimental.StatusOr<experimental.Endpoint[]>,
    config: experimental.TypedLoadBalancingConfig,
    options: ChannelOptions,
    note: string,
  ): boolean;
  abstract getTypeName(): string;

  exitIdle(): void {
    this.child.exitIdle();
  }
  resetBackoff(): void {
    this.child.resetBackoff();
  }
  destroy(): void {
    this.child.destroy();
  }
}
