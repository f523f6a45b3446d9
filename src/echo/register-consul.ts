// Registers this echo server with the Consul agent: Address = host address (what host clients
// dial), TaggedAddresses/Meta = cluster address, and a gRPC health check that dials the cluster one.
import { networkInterfaces } from 'node:os';
import { experimental } from '@grpc/grpc-js';
import { httpGet, httpPut } from './http-put.js';
import { retryWithBackoff } from './retry.js';
import type { Registration } from './register-etcd.js';

/** This container's own IPv4 on the lab network (the first non-internal one). */
function ownIpv4(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

function split(address: string): { host: string; port: number } {
  const hp = experimental.splitHostPort(address);
  return { host: hp?.host ?? address, port: hp?.port ?? 0 };
}

/** How often a registered echo checks that its agent still knows it (a restarted dev agent forgets). */
const RECHECK_MS = 2000;

export class ConsulRegistrar {
  registered = false;
  private stopped = false;
  private recheck?: NodeJS.Timeout;

  constructor(
    private readonly url: string,
    private readonly registration: Registration,
    private readonly checkInterval: string,
    private readonly deregisterAfter: string,
    private readonly log: (msg: string) => void,
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
      Meta: { cluster: r.cluster, ip: ip ?? '', weight: String(r.weight), zone: r.zone, ...r.metadata },
      Weights: { Passing: r.weight, Warning: 1 },
      Check: {
        CheckID: `${r.id}-grpc`,
        Name: `gRPC health of ${r.id}`,
        GRPC: r.cluster,
        // The server registers only once it serves, so it starts passing; the gRPC check then runs
        // every interval and turns it critical the moment health says NOT_SERVING or it stops answering.
        Status: 'passing',
        Interval: this.checkInterval,
        Timeout: '1s',
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

  /** Registers again when the agent no longer has this service (Consul restarted: a dev agent
   * keeps its catalog in memory), as the etcd registrar puts its key back (seed 001). */
  private watchRegistration(): void {
    if (this.recheck || this.stopped) return;
    const loop = async () => {
      this.recheck = undefined;
      if (this.stopped) return;
      const res = await httpGet(`${this.url}/v1/agent/service/${encodeURIComponent(this.registration.id)}`, 1000).catch(() => undefined);
      if (!this.stopped && res?.status === 404) {
        this.log('consul: the agent lost this service; registering again');
        this.registered = false;
        await this.start();
        return;
      }
      if (!this.stopped) this.recheck = setTimeout(() => void loop(), RECHECK_MS);
    };
    this.recheck = setTimeout(() => void loop(), RECHECK_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.recheck) clearTimeout(this.recheck);
    this.recheck = undefined;
    if (!this.registered) return;
    try {
      await httpPut(`${this.url}/v1/agent/service/deregister/${encodeURIComponent(this.registration.id)}`, undefined, 1000);
      this.registered = false;
    } catch (err) {
      this.log(`consul: deregister failed: ${(err as Error).message}`);
    }
  }
}
