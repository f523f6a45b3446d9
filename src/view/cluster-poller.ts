// Once a second, what the cluster panel shows: each container's state (Docker), each echo's lease
// TTL (etcd) and check (Consul), and its health, weight, faults and link fault (its control port).
// Reads only; a registry that does not answer is shown as such, never as an error of the view.
import { call, controlClient, type ControlClient, type Stats } from '../grpc/protos.js';
import { describeFault, type Fault } from '../echo/faults.js';
import { describeLinkFault, normalizeLinkFault, type LinkFault } from '../echo/link/link-fault.js';
import { LABEL, projectSelector, type ContainerRuntime } from '../sandbox/index.js';
import { consulInstances, etcdEntries } from '../sandbox/registry-probe.js';
import type { Topology } from '../topology/types.js';
import type { ServiceView } from './state.js';

type EchoStats = Stats & { fault?: Partial<Fault>; link?: { fault?: Partial<LinkFault> } };

export class ClusterPoller {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly controls = new Map<string, ControlClient>();

  constructor(
    private readonly rt: ContainerRuntime,
    private readonly topology: () => Topology,
    private readonly onSnapshot: (services: Array<Partial<ServiceView> & { name: string }>) => void,
    private readonly everyMs = 1000,
  ) {}

  start(): void {
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      await this.poll().catch(() => undefined);
      if (!this.stopped) this.timer = setTimeout(loop, this.everyMs);
    };
    void loop();
  }

  /** Stops the loop (a last poll() may still be asked for). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  close(): void {
    this.stop();
    for (const c of this.controls.values()) c.close();
    this.controls.clear();
  }

  private control(address: string): ControlClient {
    let c = this.controls.get(address);
    if (!c) this.controls.set(address, (c = controlClient(address)));
    return c;
  }

  async poll(): Promise<void> {
    const t = this.topology();
    const prefix = `${t.registration.etcdPrefix.replace(/\/$/, '')}/`;
    const echoService = t.instances.find((i) => i.role === 'echo')?.service ?? 'echo';
    const [containers, etcd, consul] = await Promise.all([
      this.rt.listContainers(projectSelector(t.project)),
      etcdEntries(t.etcd.hostAddress, prefix, 800).catch(() => undefined),
      consulInstances(t.consul.hostAddress, echoService, 800).catch(() => undefined),
    ]);
    const byName = new Map(containers.map((c) => [c.labels[LABEL.instance] ?? c.name, c]));
    const names = new Set([...t.instances.map((i) => i.name), ...byName.keys()]);
    const services = await Promise.all(
      [...names].map(async (name): Promise<Partial<ServiceView> & { name: string }> => {
        const inst = t.instances.find((i) => i.name === name);
        const c = byName.get(name);
        const role = inst?.role ?? c?.labels[LABEL.role] ?? 'echo';
        const view: Partial<ServiceView> & { name: string } = {
          name,
          role,
          hostAddress: inst?.hostAddress ?? c?.labels[LABEL.hostAddress] ?? '',
          container: c?.state ?? 'absent',
        };
        if (role === 'etcd') view.health = etcd ? 'healthy' : c?.state === 'running' ? 'no answer' : '';
        if (role === 'consul') view.health = consul ? 'healthy' : c?.state === 'running' ? 'no answer' : '';
        if (role !== 'echo') return view;
        const key = etcd?.find((e) => e.key.endsWith(`/${name}`));
        view.etcdRegistered = etcd ? !!key : undefined;
        view.leaseTtl = key?.ttl;
        const reg = consul?.find((i) => i.id === name);
        view.consulCheck = reg ? (reg.checks.find((ch) => ch.status !== 'passing')?.status ?? 'passing') : undefined;
        if (c?.state === 'running' && inst) {
          const st = await call<object, EchoStats>(this.control(inst.controlAddress), 'GetStats', {}, 700).catch(() => undefined);
          view.health = st ? (st.serving ? 'SERVING' : 'NOT_SERVING') : 'no answer';
          if (st) {
            view.weight = st.weight;
            view.fault = describeFault(st.fault);
            const link = normalizeLinkFault(st.link?.fault);
            view.link = describeLinkFault(link) === 'clear' ? '' : describeLinkFault(link);
          }
        } else view.health = c?.state === 'paused' ? 'frozen' : '';
        return view;
      }),
    );
    this.onSnapshot(services);
  }
}
