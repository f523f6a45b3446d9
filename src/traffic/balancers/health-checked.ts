// health_checked: client-side health checking, which grpc-js lacks. Wraps a child policy (round_robin
// by default); for each backend it keeps a grpc.health.v1 Watch open over its own channel and marks
// the child's subchannels unhealthy while the answer is not SERVING, so the child's leaves report
// TRANSIENT_FAILURE and the child skips them. A backend counts as healthy until its first answer
// (the child fails calls fast on TRANSIENT_FAILURE rather than queueing them, so starting unhealthy
// would fail the first calls), and one without a health service (UNIMPLEMENTED) stays healthy.
import { experimental, status, type ChannelOptions, type ServiceError } from '@grpc/grpc-js';
import { healthClient, type HealthClient } from '../../grpc/index.js';
import { Backoff } from '../../util/backoff.js';
import { describeBalancer } from './catalog.js';
import { childPolicyOf, LabSubchannelWrapper, WrapperBalancer } from './wrapper-balancer.js';

const NAME = 'health_checked';

class HealthCheckedConfig implements experimental.TypedLoadBalancingConfig {
  constructor(
    readonly serviceName: string,
    readonly child: experimental.TypedLoadBalancingConfig,
  ) {}
  getLoadBalancerName(): string {
    return NAME;
  }
  toJsonObject(): object {
    return { [NAME]: { serviceName: this.serviceName, childPolicy: [this.child.toJsonObject()] } };
  }
  static createFromJson(obj: { serviceName?: unknown; childPolicy?: unknown }): HealthCheckedConfig {
    const child = childPolicyOf(NAME, obj.childPolicy, [{ round_robin: {} }]);
    if (child.getLoadBalancerName() === 'pick_first')
      throw new Error(`${NAME}: pick_first does not follow subchannel health; use round_robin or one of the lab's balancers`);
    return new HealthCheckedConfig(typeof obj.serviceName === 'string' ? obj.serviceName : '', child);
  }
}

/** One Watch per backend address, shared by every subchannel wrapper of that address. */
class HealthWatch {
  healthy = true;
  readonly wrappers = new Set<HealthCheckedSubchannel>();
  private client?: HealthClient;
  private stream?: ReturnType<HealthClient['watch']>;
  private stopped = false;
  private readonly backoff = new Backoff({ initialMs: 100, maxMs: 5000 });

  constructor(
    private readonly address: string,
    private readonly serviceName: string,
  ) {
    this.open();
  }

  private set(healthy: boolean): void {
    this.healthy = healthy;
    for (const w of this.wrappers) w.markHealthy(healthy);
  }

  private open(): void {
    if (this.stopped) return;
    this.client ??= healthClient(this.address, { 'grpc.use_local_subchannel_pool': 1 });
    const stream = this.client.watch({ service: this.serviceName });
    this.stream = stream;
    stream.on('data', (r: { status: string }) => {
      this.backoff.reset();
      this.set(r.status === 'SERVING');
    });
    stream.on('error', (err: ServiceError) => {
      if (this.stopped) return;
      if (err.code === status.UNIMPLEMENTED) return this.set(true);
      this.set(false);
      void this.backoff.start().done.then(() => this.open());
    });
  }

  close(): void {
    this.stopped = true;
    this.backoff.stop();
    this.stream?.cancel();
    this.client?.close();
  }
}

class HealthCheckedSubchannel extends LabSubchannelWrapper {
  constructor(
    child: experimental.SubchannelInterface,
    private readonly watch: HealthWatch,
    private readonly release: (w: HealthCheckedSubchannel) => void,
  ) {
    super(child);
    watch.wrappers.add(this);
    if (!watch.healthy) this.markHealthy(false);
  }
  markHealthy(healthy: boolean): void {
    this.setHealthy(healthy);
  }
  protected override destroy(): void {
    this.release(this);
    super.destroy();
  }
}

class HealthCheckedLoadBalancer extends WrapperBalancer {
  private readonly watches = new Map<string, HealthWatch>();
  private serviceName = '';

  protected overrides(helper: experimental.ChannelControlHelper): Partial<experimental.ChannelControlHelper> {
    return {
      createSubchannel: (address, args) => {
        const key = experimental.subchannelAddressToString(address);
        let watch = this.watches.get(key);
        if (!watch) this.watches.set(key, (watch = new HealthWatch(key, this.serviceName)));
        return new HealthCheckedSubchannel(helper.createSubchannel(address, args), watch, (w) => {
          watch.wrappers.delete(w);
          if (watch.wrappers.size === 0) {
            watch.close();
            this.watches.delete(key);
          }
        });
      },
    };
  }

  updateAddressList(
    endpoints: experimental.StatusOr<experimental.Endpoint[]>,
    config: experimental.TypedLoadBalancingConfig,
    options: ChannelOptions,
    note: string,
  ): boolean {
    if (!(config instanceof HealthCheckedConfig)) return false;
    this.serviceName = config.serviceName;
    return this.child.updateAddressList(endpoints, config.child, options, note);
  }

  override destroy(): void {
    super.destroy();
    for (const w of this.watches.values()) w.close();
    this.watches.clear();
  }

  getTypeName(): string {
    return NAME;
  }
}

export function setup(): void {
  describeBalancer(
    NAME,
    'client-side health checking as gRFC A17 describes it (grpc-js does not implement A17: its healthCheckConfig is never read): watches `grpc.health.v1` on each backend and skips NOT_SERVING ones (wraps `childPolicy`, default round_robin)',
  );
  experimental.registerLoadBalancerType(NAME, HealthCheckedLoadBalancer, HealthCheckedConfig);
}
