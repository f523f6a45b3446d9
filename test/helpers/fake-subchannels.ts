// A fake subchannel set for balancer tests: the test decides each subchannel's connectivity state;
// the balancer under test is the real one (with grpc-js's own leaves) behind a ChildLoadBalancerHandler.
import { connectivityState as ConnectivityState, experimental, Metadata, type ChannelOptions } from '@grpc/grpc-js';

export class FakeSubchannel {
  state: ConnectivityState = ConnectivityState.IDLE;
  private listeners = new Set<experimental.ConnectivityStateListener>();
  private health = new Set<(healthy: boolean) => void>();
  constructor(readonly address: string) {}
  getConnectivityState() {
    return this.state;
  }
  addConnectivityStateListener(l: experimental.ConnectivityStateListener) {
    this.listeners.add(l);
  }
  removeConnectivityStateListener(l: experimental.ConnectivityStateListener) {
    this.listeners.delete(l);
  }
  startConnecting() {
    if (this.state === ConnectivityState.IDLE) this.setState(ConnectivityState.CONNECTING);
  }
  setState(next: ConnectivityState) {
    const prev = this.state;
    if (prev === next) return;
    this.state = next;
    for (const l of [...this.listeners]) l(this as never, prev, next, 0);
  }
  getAddress() {
    return this.address;
  }
  throttleKeepalive() {}
  ref() {}
  unref() {}
  getChannelzRef() {
    return { kind: 'subchannel', id: 0, name: this.address } as never;
  }
  isHealthy() {
    return true;
  }
  addHealthStateWatcher(l: (healthy: boolean) => void) {
    this.health.add(l);
  }
  removeHealthStateWatcher(l: (healthy: boolean) => void) {
    this.health.delete(l);
  }
  addDataWatcher() {}
  getRealSubchannel() {
    return this as never;
  }
  realSubchannelEquals(other: unknown) {
    return other === this;
  }
  getCallCredentials() {
    return undefined as never;
  }
  getChannel() {
    return undefined as never;
  }
}

export class FakeCluster {
  readonly subchannels = new Map<string, FakeSubchannel>();
  picker?: experimental.Picker;
  state?: ConnectivityState;
  readonly handler: experimental.ChildLoadBalancerHandler;

  constructor() {
    const helper: experimental.ChannelControlHelper = {
      createSubchannel: (address) => {
        const key = experimental.subchannelAddressToString(address);
        let sc = this.subchannels.get(key);
        if (!sc) this.subchannels.set(key, (sc = new FakeSubchannel(key)));
        return sc as unknown as experimental.SubchannelInterface;
      },
      updateState: (state, picker) => {
        this.state = state;
        this.picker = picker;
      },
      requestReresolution: () => undefined,
      addChannelzChild: () => undefined,
      removeChannelzChild: () => undefined,
    };
    this.handler = new experimental.ChildLoadBalancerHandler(helper);
  }

  /** Hands the balancer `addresses` under `lbConfig`, as a resolver would. */
  resolve(addresses: string[], lbConfig: object, options: ChannelOptions = {}) {
    const endpoints = addresses.map((a) => ({ addresses: [{ host: a.split(':')[0], port: Number(a.split(':')[1]) }] }));
    const ok = this.handler.updateAddressList(experimental.statusOrFromValue(endpoints), experimental.parseLoadBalancingConfig(lbConfig as never), options, '');
    if (!ok) throw new Error(`the balancer refused ${JSON.stringify(lbConfig)}`);
  }

  set(address: string, state: ConnectivityState) {
    this.subchannels.get(address)!.setState(state);
  }

  /** The address the current picker chooses, or its result type when it does not complete. */
  pick(md: Record<string, string> = {}): string {
    const args = { metadata: new Metadata(), extraPickInfo: {} };
    for (const [k, v] of Object.entries(md)) args.metadata.set(k, v);
    const r = this.picker!.pick(args);
    return r.pickResultType === experimental.PickResultType.COMPLETE ? r.subchannel!.getAddress() : experimental.PickResultType[r.pickResultType];
  }
}
