// Registers this echo server in etcd under <prefix>/<service>/<id> with a lease kept alive
// (seed 001's registry), and puts the key back when it vanishes or the lease is lost.
import { Etcd3, type Lease } from 'etcd3';

export interface Registration {
  id: string;
  service: string;
  host: string;
  cluster: string;
  weight: number;
  zone: string;
  metadata: Record<string, string>;
}

export class EtcdRegistrar {
  private readonly client: Etcd3;
  private lease?: Lease;
  private stopped = false;
  private watcherCancel?: () => Promise<void>;
  readonly key: string;

  constructor(
    endpoints: string[],
    prefix: string,
    private readonly ttlSeconds: number,
    private readonly registration: Registration,
    private readonly log: (msg: string) => void,
  ) {
    this.client = new Etcd3({ hosts: endpoints, dialTimeout: 2000 });
    this.key = `${prefix.replace(/\/$/, '')}/${registration.service}/${registration.id}`;
  }

  /** Registers, retrying with backoff until etcd answers. Resolves once the key is in etcd. */
  async start(): Promise<void> {
    await this.retry(() => this.grantAndPut());
    await this.watchKey();
  }

  async leaseHex(): Promise<string> {
    if (!this.lease) return '';
    try {
      return BigInt(await this.lease.grant()).toString(16);
    } catch {
      return '';
    }
  }

  private async grantAndPut(): Promise<void> {
    const lease = this.client.lease(this.ttlSeconds, { autoKeepAlive: true });
    lease.on('lost', (err) => {
      if (this.stopped) return;
      this.log(`etcd lease lost (${err.message}); registering again`);
      void this.retry(() => this.grantAndPut());
    });
    await lease.put(this.key).value(JSON.stringify(this.registration));
    this.lease = lease;
    this.log(`etcd: registered ${this.key} (lease ${BigInt(await lease.grant()).toString(16)}, ttl ${this.ttlSeconds}s)`);
  }

  /** Seed 001: when the key vanishes (deleted by hand, lease revoked), put it back. */
  private async watchKey(): Promise<void> {
    const watcher = await this.client.watch().key(this.key).create();
    watcher.on('delete', () => {
      if (this.stopped) return;
      this.log(`etcd: ${this.key} vanished; registering again`);
      const old = this.lease;
      void old?.revoke().catch(() => undefined);
      void this.retry(() => this.grantAndPut());
    });
    this.watcherCancel = () => watcher.cancel();
  }

  private async retry(fn: () => Promise<void>): Promise<void> {
    let delay = 50;
    for (;;) {
      if (this.stopped) return;
      try {
        return await fn();
      } catch (err) {
        this.log(`etcd: ${(err as Error).message}; retrying in ${delay} ms`);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 1000);
      }
    }
  }

  /** Deregisters: revokes the lease (which deletes the key) and closes the client. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.watcherCancel?.().catch(() => undefined);
    await this.lease?.revoke().catch(() => undefined);
    this.client.close();
  }
}
