// Registers this echo server with the Consul agent: Address = host address (what host clients
// dial), TaggedAddresses/Meta = cluster address, and a gRPC health check that dials the cluster one.
import { experimental } from '@grpc/grpc-js';
import { CONSUL_CHECK_TIMEOUT_MS, type ConsulMeta } from '../wire/index.js';
import { ownIpv4 } from './config.js';
import { httpGet, httpPut } from './http-put.js';
import { retryWithBackoff } from './retry.js';
import type { Registration } from './register-etcd.js';

function split(address: string): { host: string; port: number } {
  const hp = experimental.splitHostPort(address);
  return { host: hp?.host ?? address, port: hp?.port ?? 0 };
}

/** How long one blocking query on the agent's view of this service waits for a change. */
const WATCH_WAIT_S = 30;
/** Between two failed watches (the agent is down or restarting). */
const WATCH_RETRY_MS = 250;

export class ConsulRegistrar {
  registered = false;
  private stopped = false;
  private watching?: AbortController;

  constructor(
    private readonly url: string,
    private readonly registration: Registration,
    private readonly checkInterval: string,
    private readonly deregisterAfter: string,
    private readonly log: (msg: string) => void,
    /** Where Consul's gRPC check dials (default: the cluster address). The sidecar's may be its own health service. */
    private readonly checkAddress?: string,
  ) {}

  body(): unknown {
    const r = this.registration;
    const host = split(r.host);
    const cluster = split(r.cluster);
    const ip = ownIpv4();
    return {
      ID: r.id,
      Name: r.service,
      Address: host.host,
      Port: host.port,
      Tags: [r.zone ? `zone=${r.zone}` : '', `weight=${r.weight}`].filter(Boolean),
      // The cluster address goes under a key of the lab's own: Consul's DNS answers same-datacenter
      // queries with a `lan`/`lan_ipv4` tagged address, and host clients cannot reach container IPs.
      TaggedAddresses: { cluster: { Address: cluster.host, Port: cluster.port } },
      Meta: { ...r.metadata, ...({ cluster: r.cluster, ip: ip ?? '', weight: String(r.weight), zone: r.zone } satisfies ConsulMeta) },
      Weights: { Passing: r.weight, Warning: 1 },
      Check: {
        CheckID: `${r.id}-grpc`,
        Name: `gRPC health of ${r.id}`,
        GRPC: this.checkAddress ?? r.cluster,
        // The server registers only once it serves, so it starts passing; the gRPC check then runs
        // every interval and turns it critical the moment health says NOT_SERVING or it stops answering.
        Status: 'passing',
        Interval: this.checkInterval,
        Timeout: `${CONSUL_CHECK_TIMEOUT_MS}ms`,
        DeregisterCriticalServiceAfter: this.deregisterAfter,
      },
    };
  }

  /** Registers, retrying with backoff until the agent accepts. */
  async start(): Promise<void> {
    this.stopped = false;
    await retryWithBackoff(
      'consul',
      async () => {
        const res = await httpPut(`${this.url}/v1/agent/service/register`, JSON.stringify(this.body()), 2000);
        if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.text.trim()}`);
        this.registered = true;
        this.log(`consul: registered ${this.registration.id}`);
      },
      () => this.stopped,
      this.log,
    );
    this.watchRegistration();
  }

  /**
   * Registers again when the agent no longer has this service (Consul restarted: a dev agent keeps its
   * catalog in memory), as the etcd registrar puts its key back (seed 001). A blocking query on the
   * agent's view of the service: it answers when that changes or after WATCH_WAIT_S, and fails at once
   * when the agent goes away; then a 404 says it forgot. (Polling every 2 s cost a hundred echo
   * servers and their agent ~5% of a core.)
   */
  private watchRegistration(): void {
    if (this.watching || this.stopped) return;
    const ctl = (this.watching = new AbortController());
    const url = `${this.url}/v1/agent/service/${encodeURIComponent(this.registration.id)}`;
    const loop = async () => {
      let hash = '';
      while (!ctl.signal.aborted) {
        const query = hash ? `?hash=${encodeURIComponent(hash)}&wait=${WATCH_WAIT_S}s` : '';
        const res = await httpGet(`${url}${query}`, (WATCH_WAIT_S + 5) * 1000, ctl.signal).catch(() => undefined);
        if (ctl.signal.aborted) return;
        if (res?.status === 404) {
          this.log('consul: the agent lost this service; registering again');
          this.registered = false;
          this.watching = undefined;
          await this.start();
          return;
        }
        const next = res?.status === 200 ? String(res.headers['x-consul-contenthash'] ?? '') : '';
        if (!next || next === hash) await new Promise((r) => setTimeout(r, WATCH_RETRY_MS));
        hash = next;
      }
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watching?.abort();
    this.watching = undefined;
    if (!this.registered) return;
    try {
      await httpPut(`${this.url}/v1/agent/service/deregister/${encodeURIComponent(this.registration.id)}`, undefined, 1000);
      this.registered = false;
    } catch (err) {
      this.log(`consul: deregister failed: ${(err as Error).message}`);
    }
  }
}
