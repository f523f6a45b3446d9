// Once a second, what the cluster panel shows: each container's state (Docker), each echo's lease
// TTL (etcd) and check (Consul), and its health, weight, faults and link fault (its control port).
// Reads only; a registry that does not answer is shown as such, never as an error of the view.
import { describeFault, describeLinkFault, normalizeLinkFault, parseEtcdRecord, statusName } from '../wire/index.js';
import { EchoControl } from '../grpc/index.js';
import { consulInstances, EtcdReader, LABEL, projectSelector, type ContainerRuntime, type Reach } from '../sandbox/index.js';
import type { Topology } from '../topology/index.js';
import type { ServiceView } from './state.js';

/** The host address in an echo's etcd registration (JSON with `host`), if it reads as one. */
function registeredHost(value: string): string | undefined {
  const host = parseEtcdRecord(value)?.host;
  return typeof host === 'string' ? host : undefined;
}

/** A server of yours' call faults, as its sidecar holds them: "/helloworld.Greeter/*: abort UNAVAILABLE 20%". */
function callFaultsText(faults: Array<{ method: string; abortCode: number; abortPercent: number; delayMs: number; delayPercent: number }>): string {
  return faults
    .map((f) =>
      [
        f.abortPercent ? `abort ${statusName(f.abortCode)} ${+f.abortPercent.toFixed(2)}%` : '',
        f.delayPercent ? `delay ${f.delayMs}ms ${+f.delayPercent.toFixed(2)}%` : '',
      ]
        .filter(Boolean)
        .join(', ')
        .replace(/^/, `${f.method}: `),
    )
    .join('; ');
}

export class ClusterPoller {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly controls = new Map<string, EchoControl>();
  private etcd?: { hosts: string; reader: EtcdReader };

  constructor(
    /** The sandbox's runtime and how this process dials into it (a RunContext has both). */
    private readonly sandbox: { rt: ContainerRuntime; reach: Reach },
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
    this.etcd?.reader.close();
    this.etcd = undefined;
  }

  private control(address: string): EchoControl {
    let c = this.controls.get(address);
    if (!c) this.controls.set(address, (c = new EchoControl(address)));
    return c;
  }

  /** Control clients of echo servers that scaled away are closed and forgotten. */
  private forgetGone(t: Topology): void {
    const live = new Set(t.instances.map((i) => this.sandbox.reach(i.controlAddress)));
    for (const [address, c] of this.controls) {
      if (live.has(address)) continue;
      c.close();
      this.controls.delete(address);
    }
  }

  private etcdReader(hosts: string): EtcdReader {
    if (this.etcd?.hosts !== hosts) {
      this.etcd?.reader.close();
      this.etcd = { hosts, reader: new EtcdReader(hosts, 800) };
    }
    return this.etcd.reader;
  }

  /** How many echo control clients the poller holds (tests: it forgets those that scaled away). */
  get controlClients(): number {
    return this.controls.size;
  }

  async poll(): Promise<void> {
    const t = this.topology();
    const prefix = `${t.registration.etcdPrefix.replace(/\/$/, '')}/`;
    // The backends' services: the echo's, and a server of yours' (each registered under its own name).
    const backendServices = [...new Set(t.instances.filter((i) => i.role === 'echo' || i.role === 'server').map((i) => i.service))];
    if (backendServices.length === 0) backendServices.push('echo');
    this.forgetGone(t);
    const consulHost = this.sandbox.reach(t.consul.hostAddress);
    const [containers, etcd, consul] = await Promise.all([
      this.sandbox.rt.listContainers(projectSelector(t.project)),
      this.etcdReader(this.sandbox.reach(t.etcd.hostAddress))
        .entries(prefix)
        .catch(() => undefined),
      Promise.all(backendServices.map((svc) => consulInstances(consulHost, svc, 800)))
        .then((lists) => lists.flat())
        .catch(() => undefined),
    ]);
    const byName = new Map(containers.map((c) => [c.labels[LABEL.instance] ?? c.name, c]));
    // A server of yours is one row: its sidecar (the lab's, beside it) speaks for it, and is shown as
    // its health and registrations, or as "sidecar <state>" when it is not running.
    const sidecarOf = new Map(t.instances.filter((i) => i.joins).map((i) => [i.name, i.joins!]));
    const sidecars = new Set(sidecarOf.values());
    const names = new Set(
      [...t.instances.map((i) => i.name), ...byName.keys()].filter((n) => !sidecars.has(n) && byName.get(n)?.labels[LABEL.role] !== 'sidecar'),
    );
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
        if (role !== 'echo' && role !== 'server') return view;
        const sidecar = sidecarOf.has(name) ? byName.get(sidecarOf.get(name)!) : undefined;
        if (role === 'server' && sidecar?.state !== 'running') {
          view.health = 'no sidecar';
          return view;
        }
        const key = etcd?.find((e) => e.key.endsWith(`/${name}`));
        view.etcdRegistered = etcd ? !!key : undefined;
        // The address it registered (on a swarm its own in the overlay: what clients' events name).
        const registered = key ? registeredHost(key.value) : undefined;
        if (registered) view.hostAddress = registered;
        view.leaseTtl = key?.ttl;
        const reg = consul?.find((i) => i.id === name);
        view.consulCheck = reg ? (reg.checks.find((ch) => ch.status !== 'passing')?.status ?? 'passing') : undefined;
        // An echo server answers for itself while it runs; a server of yours' sidecar answers for it whatever its state.
        if (inst && (c?.state === 'running' || role === 'server')) {
          const st = await this.control(this.sandbox.reach(inst.controlAddress))
            .getStats(700)
            .catch(() => undefined);
          view.health = c?.state === 'paused' ? 'frozen' : st ? (st.serving ? 'SERVING' : 'NOT_SERVING') : 'no answer';
          if (st) {
            view.weight = st.weight;
            view.fault = role === 'server' ? callFaultsText(st.callFaults ?? []) : describeFault(st.fault ?? undefined);
            const link = normalizeLinkFault(st.link?.fault ?? undefined);
            view.link = describeLinkFault(link) === 'clear' ? '' : describeLinkFault(link);
          }
        } else view.health = c?.state === 'paused' ? 'frozen' : '';
        return view;
      }),
    );
    this.onSnapshot(services);
  }
}
