// Registers this echo server in etcd under <prefix>/<service>/<id> with a lease kept alive
// (seed 001's registry), and puts the key back when it vanishes or the lease is lost.
import type { Etcd3, Lease } from 'etcd3';
import { openEtcd } from '../util/etcd-client.js';
import { retryWithBackoff } from './retry.js';

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
  private registering?: Promise<void>;
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
    this.client = openEtcd(endpoints);
    this.key = `${prefix.replace(/\/$/, '')}/${registration.service}/${registration.id}`;
  }

  /** Registers, retrying with backoff until etcd answers. Resolves once the key is in etcd. */
  async start(): Promise<void> {
    await this.ensureRegistered();
    await this.retry(() => this.watchKey());
  }

  async leaseHex(): Promise<string> {
    if (!this.lease) return '';
    try {
      return BigInt(await this.lease.grant()).toString(16);
    } catch {
      return '';
    }
  }

  /** Puts the registration's current value again, under the same lease. */
  async refresh(): Promise<void> {
    if (this.lease) await this.lease.put(this.key).value(JSON.stringify(this.registration));
    else await this.ensureRegistered();
  }

  /**
   * One registration loop at a time, however many triggers (a lost lease, a deleted key) arrive:
   * an etcd outage must not multiply leases and retries (it once ran an echo out of memory).
   */
  private ensureRegistered(): Promise<void> {
    this.registering ??= this.retry(() => this.grantAndPut()).finally(() => {
      this.registering = undefined;
    });
    return this.registering;
  }

  private async grantAndPut(): Promise<void> {
    const lease = this.client.lease(this.ttlSeconds, { autoKeepAlive: true });
    lease.on('lost', (err) => {
      // Only the current lease matters; a stale one's keepalive failing says nothing new.
      if (this.stopped || this.lease !== lease) return;
      this.lease = undefined;
      this.log(`etcd lease lost (${err.message}); registering again`);
      void this.ensureRegistered();
    });
    try {
      await lease.put(this.key).value(JSON.stringify(this.registration));
    } catch (err) {
      lease.release(); // stop its keepalive; the next attempt grants a fresh lease
      throw err;
    }
    const old = this.lease;
    this.lease = lease;
    if (old && old !== lease) void old.revoke().catch(() => undefined);
    this.log(`etcd: registered ${this.key} (lease ${BigInt(await lease.grant()).toString(16)}, ttl ${this.ttlSeconds}s)`);
  }

  /** Seed 001: when the key vanishes (deleted by hand, lease revoked), put it back. */
  private async watchKey(): Promise<void> {
    const watcher = await this.client.watch().key(this.key).create();
    watcher.on('delete', () => {
      if (this.stopped) return;
      this.log(`etcd: ${this.key} vanished; registering again`);
      const old = this.lease;
      this.lease = undefined;
      void old?.revoke().catch(() => undefined);
      void this.ensureRegistered();
    });
    // The watcher reconnects by itself; errors are only logged.
    watcher.on('error', (err) => this.log(`etcd watch: ${err.message}`));
    this.watcherCancel = () => watcher.cancel();
  }

  private retry(fn: () => Promise<void>): Promise<void> {
    return retryWithBackoff('etcd', fn, () => this.stopped, this.log);
  }

  /** Deregisters: revokes the lease (which deletes the key) and closes the client. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.watcherCancel?.().catch(() => undefined);
    await this.lease?.revoke().catch(() => undefined);
    this.client.close();
  }
}
