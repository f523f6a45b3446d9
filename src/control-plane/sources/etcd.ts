// Endpoints from etcd's keys (<prefix>/<service>/<id>, the echo servers' registrations): Get with
// prefix, then Watch; a key there is a healthy endpoint, so a frozen server leaves when its lease
// runs out. When etcd goes away the last list stays, and the source resyncs when it is back.
import type { Etcd3, Watcher } from 'etcd3';
import { Backoff } from '../../util/backoff.js';
import { openEtcd } from '../../util/etcd-client.js';
import type { EndpointSource, RegistryEndpoint } from './source.js';
import { parseEtcdRecord } from '../../wire/index.js';

export class EtcdSource implements EndpointSource {
  readonly kind = 'etcd' as const;
  ok = false;
  error = 'not read yet';
  private readonly client: Etcd3;
  private readonly entries = new Map<string, RegistryEndpoint>();
  private watcher?: Watcher;
  private stopped = false;
  private readonly backoff = new Backoff({ initialMs: 100, maxMs: 2000 });

  constructor(
    endpoints: string[],
    private readonly prefix: string,
  ) {
    this.client = openEtcd(endpoints);
  }

  start(onChange: (endpoints: RegistryEndpoint[]) => void): void {
    setImmediate(() => void this.sync(onChange));
  }

  private async sync(onChange: (endpoints: RegistryEndpoint[]) => void): Promise<void> {
    if (this.stopped) return;
    try {
      const res = await this.client.getAll().prefix(this.prefix).exec();
      this.entries.clear();
      for (const kv of res.kvs) this.put(kv.key.toString(), kv.value.toString());
      this.ok = true;
      this.error = '';
      onChange([...this.entries.values()]);
      const watcher = await this.client
        .watch()
        .prefix(this.prefix)
        .startRevision((BigInt(res.header.revision) + 1n).toString())
        .create();
      if (this.stopped) return void watcher.cancel();
      this.watcher = watcher;
      this.backoff.reset();
      watcher.on('put', (kv) => {
        this.put(kv.key.toString(), kv.value.toString());
        onChange([...this.entries.values()]);
      });
      watcher.on('delete', (kv) => {
        this.entries.delete(kv.key.toString());
        onChange([...this.entries.values()]);
      });
      const lost = (err: Error) => this.outage(`etcd watch: ${err.message}`, onChange);
      watcher.on('disconnected', lost);
      watcher.on('error', lost);
    } catch (err) {
      this.outage(`etcd ${this.prefix}: ${(err as Error).message}`, onChange);
    }
  }

  private outage(message: string, onChange: (endpoints: RegistryEndpoint[]) => void): void {
    if (this.stopped) return;
    this.ok = false;
    this.error = message;
    const w = this.watcher;
    this.watcher = undefined;
    w?.removeAllListeners();
    void w?.cancel().catch(() => undefined);
    void this.backoff.start().done.then(() => this.sync(onChange));
  }

  private put(key: string, value: string): void {
    const r = parseEtcdRecord(value);
    if (!r?.host) return; // not one of the lab's registrations
    const id = r.id ?? key.slice(key.lastIndexOf('/') + 1);
    this.entries.set(key, { id, hostAddress: r.host, clusterAddress: r.cluster ?? r.host, zone: r.zone ?? '', weight: r.weight ?? 1, healthy: true });
  }

  stop(): void {
    this.stopped = true;
    this.backoff.stop();
    void this.watcher?.cancel().catch(() => undefined);
    this.client.close();
  }
}
