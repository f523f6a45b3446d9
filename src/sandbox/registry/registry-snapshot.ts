// What an `up` reads of the registries while it waits for many echo servers at once. Each wait asks
// whether its echo is registered; one read of etcd's keys under a prefix, and one of Consul's checks
// of a service, answer every wait asking within `maxAgeMs` (each wait fetching Consul's whole check
// list every 50 ms was O(n²) at a hundred echo servers).
import type { SharedReads } from '../wait/shared-reads.js';
import type { EtcdReader } from './etcd-reader.js';

export interface ConsulCheck {
  ServiceID: string;
  Status: string;
}

export class RegistrySnapshot {
  constructor(
    private readonly reads: SharedReads,
    private readonly etcd: EtcdReader,
    private readonly consulHost: string,
    private readonly maxAgeMs = 100,
  ) {}

  /** The keys under `prefix` now (or within maxAgeMs). */
  etcdKeys(prefix: string): Promise<Set<string>> {
    return this.reads.get(`etcd:${prefix}`, this.maxAgeMs, async () => new Set((await this.etcd.entries(prefix, { ttl: false })).map((e) => e.key)));
  }

  /** Every check Consul has for `service` now (or within maxAgeMs). */
  consulChecks(service: string, signal?: AbortSignal): Promise<ConsulCheck[]> {
    return this.reads.get(`consul:${service}`, this.maxAgeMs, () => this.readConsulChecks(service, signal));
  }

  /** The service ids Consul has registered under `service`, read now (not shared with the waits). */
  async consulRegistered(service: string, signal?: AbortSignal): Promise<Set<string>> {
    return new Set((await this.readConsulChecks(service, signal)).map((c) => c.ServiceID));
  }

  private async readConsulChecks(service: string, signal?: AbortSignal): Promise<ConsulCheck[]> {
    const res = await fetch(`http://${this.consulHost}/v1/health/checks/${encodeURIComponent(service)}`, { signal });
    if (!res.ok) throw new Error(`consul: HTTP ${res.status}`);
    return (await res.json()) as ConsulCheck[];
  }
}
