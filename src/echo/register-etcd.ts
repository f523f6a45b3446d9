// Registers this echo server in etcd under <prefix>/<service>/<id> with a lease kept alive
// (seed 001's registry), and puts the key back when it vanishes or the lease is lost.
//
// A lost lease or a failed attempt also means its connection may be dead without knowing it (a cut
// network sends no RST, and after `docker network connect` the container may have a new address):
// the next attempt opens a fresh client, and no attempt waits longer than ATTEMPT_MS.
//
// Gated (the sidecar's): the lease is not kept alive by a timer but renewed by renew(), which the
// sidecar calls after each probe its server answered; a lease that lapses, or a key deleted, while
// the gate is shut stays gone until the server answers again.
import type { Etcd3, Lease } from 'etcd3';
import { openEtcd } from '../util/etcd-client.js';
import type { EtcdRegistration } from '../wire/index.js';
import { retryWithBackoff } from './retry.js';

/** What this echo server registers: the record every reader of etcd reads back (src/wire). */
export type Registration = EtcdRegistration;

/** The record of an echo server, or of a sidecar's server, from its settings. */
export function registrationOf(
  cfg: Pick<Registration, 'service' | 'weight' | 'zone'> & { id: string; hostAddress: string; clusterAddress: string },
  metadata: Record<string, string> = {},
): Registration {
  return { id: cfg.id, service: cfg.service, host: cfg.hostAddress, cluster: cfg.clusterAddress, weight: cfg.weight, zone: cfg.zone, metadata };
}

/** How long one grant-and-put may take before it is given up and tried again on a fresh client. */
const ATTEMPT_MS = 5000;

export interface EtcdRegistrarOptions {
  /** Whether the instance may be registered now; with it, the lease lives only as long as renew() is called. */
  gate?: () => boolean;
}

export class EtcdRegistrar {
  private client: Etcd3;
  private freshClient = false;
  private started = false;
  private lease?: Lease;
  private registering?: Promise<void>;
  private stopped = false;
  private watcherCancel?: () => Promise<void>;
  /** (gated) The first registration, made by the first renew. */
  private starting?: Promise<void>;
  /** (gated) When the lease was last granted or kept alive. */
  private renewedAt = 0;
  readonly key: string;

  constructor(
    private readonly endpoints: string[],
    prefix: string,
    private readonly ttlSeconds: number,
    private readonly registration: Registration,
    private readonly log: (msg: string) => void,
    private readonly options: EtcdRegistrarOptions = {},
  ) {
    this.client = openEtcd(endpoints);
    this.key = `${prefix.replace(/\/$/, '')}/${registration.service}/${registration.id}`;
  }

  /** Registers, retrying with backoff until etcd answers. Resolves once the key is in etcd. */
  async start(): Promise<void> {
    await this.ensureRegistered();
    this.started = true;
    if (!this.watcherCancel) await this.retry(() => this.watchKey());
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
    if (this.freshClient) this.reopen();
    const lease = this.client.lease(this.ttlSeconds, { autoKeepAlive: !this.options.gate });
    lease.on('lost', (err) => {
      // Only the current lease matters; a stale one's keepalive failing says nothing new.
      if (this.stopped || this.lease !== lease) return;
      this.lease = undefined;
      this.freshClient = true;
      if (this.shut()) return this.log(`etcd lease lost (${err.message}); the server does not answer, so not registering again yet`);
      this.log(`etcd lease lost (${err.message}); registering again`);
      void this.ensureRegistered();
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        lease.put(this.key).value(JSON.stringify(this.registration)),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer from etcd in ${ATTEMPT_MS} ms`)), ATTEMPT_MS))),
      ]);
    } catch (err) {
      lease.release(); // stop its keepalive; the next attempt grants a fresh lease
      this.freshClient = true;
      throw err;
    } finally {
      clearTimeout(timer);
    }
    if (this.shut()) {
      // (gated) The server stopped answering while the put was on its way: it is not registered.
      void lease.revoke().catch(() => undefined);
      this.log(`etcd: the server stopped answering; ${this.key} taken back`);
      return;
    }
    const old = this.lease;
    this.lease = lease;
    this.renewedAt = Date.now();
    if (old && old !== lease) void old.revoke().catch(() => undefined);
    this.log(`etcd: registered ${this.key} (lease ${BigInt(await lease.grant()).toString(16)}, ttl ${this.ttlSeconds}s)`);
    // A fresh client has no watch yet.
    if (this.started && !this.watcherCancel) void this.retry(() => this.watchKey());
  }

  /** Drops the client (its calls fail, its streams end) and opens another: new connections. */
  private reopen(): void {
    this.freshClient = false;
    const old = this.client;
    const cancel = this.watcherCancel;
    this.watcherCancel = undefined;
    this.client = openEtcd(this.endpoints);
    void cancel?.().catch(() => undefined);
    old.close();
  }

  /** Seed 001: when the key vanishes (deleted by hand, lease revoked), put it back. */
  private async watchKey(): Promise<void> {
    if (this.watcherCancel || this.stopped) return;
    const client = this.client;
    const watcher = await client.watch().key(this.key).create();
    if (client !== this.client) return void watcher.cancel().catch(() => undefined); // reopened meanwhile
    watcher.on('delete', () => {
      if (this.stopped) return;
      const old = this.lease;
      this.lease = undefined;
      void old?.revoke().catch(() => undefined);
      if (this.shut()) return this.log(`etcd: ${this.key} is gone; the server does not answer, so not registering again yet`);
      this.log(`etcd: ${this.key} vanished; registering again`);
      void this.ensureRegistered();
    });
    // The watcher reconnects by itself; errors are only logged.
    watcher.on('error', (err) => this.log(`etcd watch: ${err.message}`));
    this.watcherCancel = () => watcher.cancel();
  }

  /** Gated, and the gate is shut: the server does not answer. */
  private shut(): boolean {
    return !!this.options.gate && !this.options.gate();
  }

  /**
   * (gated) The gate was shut on purpose (the sidecar drains its server): the key goes now, with its
   * lease, instead of at the lease's end; the next renew() through an open gate registers again.
   */
  async withdraw(): Promise<void> {
    const lease = this.lease;
    this.lease = undefined;
    if (!lease) return;
    await lease.revoke().catch(() => undefined);
    this.log(`etcd: ${this.key} withdrawn`);
  }

  /**
   * (gated) The server answered: one keepalive of the lease, or a registration when it has none (it
   * lapsed, or the key went, while the server did not answer). A keepalive that finds the lease
   * expired emits 'lost', which registers again.
   */
  async renew(): Promise<void> {
    if (this.stopped || this.shut()) return;
    if (!this.started) {
      this.starting ??= this.start();
      return this.starting;
    }
    const lease = this.lease;
    if (!lease) {
      if (!this.registering) this.log(`etcd: the server answers again; registering ${this.key}`);
      return this.ensureRegistered();
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        lease.keepaliveOnce(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer from etcd in ${ATTEMPT_MS} ms`)), ATTEMPT_MS))),
      ]);
    } catch (err) {
      // An expired lease was handled by its 'lost' event; anything else is etcd's, tried again at the
      // next renew, on a fresh client once the lease must have lapsed (a dead connection may not know it).
      if (this.lease !== lease) return;
      this.log(`etcd keepalive: ${(err as Error).message}`);
      if (Date.now() - this.renewedAt > this.ttlSeconds * 1000) {
        this.lease = undefined;
        this.freshClient = true;
        lease.release();
      }
      return;
    } finally {
      clearTimeout(timer);
    }
    this.renewedAt = Date.now();
  }

  /** Retries until it works or the registrar stops; gated, also until the server stops answering (renew() starts again). */
  private retry(fn: () => Promise<void>): Promise<void> {
    return retryWithBackoff('etcd', fn, () => this.stopped || this.shut(), this.log);
  }

  /** Deregisters: revokes the lease (which deletes the key) and closes the client. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.watcherCancel?.().catch(() => undefined);
    await this.lease?.revoke().catch(() => undefined);
    this.client.close();
  }
}
