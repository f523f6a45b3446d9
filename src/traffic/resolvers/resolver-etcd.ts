// etcd:///<service> — seed 001's etcd resolver: Get with prefix, then Watch from the next revision;
// PUT/DELETE update the list at once. When etcd is unreachable the last good list stays (an event
// reports the outage); etcd3's watcher resumes from its last revision on reconnect, so no change is
// missed. Authority = etcd endpoints (comma-separated); empty = the lab's etcd.
import { experimental, status, type ChannelOptions } from '@grpc/grpc-js';
import type { Etcd3, Watcher } from 'etcd3';
import { Backoff } from '../../util/backoff.js';
import { openEtcd } from '../../util/etcd-client.js';
import { knowScheme } from '../targets.js';
import { sinkFor, type ClientSink } from '../sink.js';
import { ENDPOINT_ATTRIBUTES, type AttributeMap } from './endpoint-attributes.js';
import { parseEtcdRecord, type EtcdRecord } from '../../wire/index.js';

export const ETCD_ENDPOINTS_OPTION = 'lab.etcd_endpoints';
export const ETCD_PREFIX_OPTION = 'lab.etcd_prefix';
/** Which registered address to dial: "host" (the default: clients on the host) or "cluster". */
export const ADDRESS_KIND_OPTION = 'lab.address_kind';
export const DEFAULT_ETCD = '127.77.0.2:2379';

function toHostPort(address: string): { host: string; port: number } | undefined {
  const hp = experimental.splitHostPort(address);
  return hp?.port !== undefined && hp.host ? { host: hp.host, port: hp.port } : undefined;
}

class EtcdResolver implements experimental.Resolver {
  private readonly client: Etcd3;
  private readonly prefix: string;
  private readonly entries = new Map<string, EtcdRecord>();
  private watcher?: Watcher;
  private destroyed = false;
  private hadList = false;
  private readonly sink?: ClientSink;
  private readonly kind: 'host' | 'cluster';
  private readonly backoff = new Backoff({ initialMs: 100, maxMs: 2000 });
  private livenessTimer?: NodeJS.Timeout;

  constructor(
    target: experimental.GrpcUri,
    private readonly listener: experimental.ResolverListener,
    options: ChannelOptions,
  ) {
    const endpoints = (target.authority || String(options[ETCD_ENDPOINTS_OPTION] ?? '') || DEFAULT_ETCD).split(',');
    const base = String(options[ETCD_PREFIX_OPTION] ?? '/lab/services').replace(/\/$/, '');
    this.prefix = `${base}/${target.path.replace(/^\//, '')}/`;
    this.kind = options[ADDRESS_KIND_OPTION] === 'cluster' ? 'cluster' : 'host';
    this.sink = sinkFor(options);
    this.client = openEtcd(endpoints);
    // Never call the listener synchronously from the constructor.
    setImmediate(() => void this.start());
  }

  /** Get the prefix, publish it, then watch from the next revision. Also how a reconnect resyncs. */
  private async start(): Promise<void> {
    if (this.destroyed) return;
    try {
      const res = await this.client.getAll().prefix(this.prefix).exec();
      this.entries.clear();
      for (const kv of res.kvs) this.put(kv.key.toString(), kv.value.toString());
      this.publish(this.hadList ? 'resynced after an outage' : 'initial list');
      const from = (BigInt(res.header.revision) + 1n).toString();
      // etcd3's create() never settles when etcd goes away meanwhile: give it a deadline, and
      // cancel a watcher that arrives after it.
      const creating = this.client.watch().prefix(this.prefix).startRevision(from).create();
      let timedOut = false;
      let deadline: NodeJS.Timeout | undefined;
      const watcher = await Promise.race([
        creating,
        new Promise<never>((_, reject) => {
          deadline = setTimeout(() => {
            timedOut = true;
            reject(new Error('the watch was not established within 3 s'));
          }, 3000);
          deadline.unref();
        }),
      ]).finally(() => {
        clearTimeout(deadline);
        if (timedOut) void creating.then((late) => late.cancel()).catch(() => undefined);
      });
      if (this.destroyed) return void watcher.cancel();
      this.watcher = watcher;
      watcher.on('put', (kv) => {
        this.put(kv.key.toString(), kv.value.toString());
        this.publish(`put ${kv.key.toString()}`);
      });
      watcher.on('delete', (kv) => {
        this.entries.delete(kv.key.toString());
        this.publish(`delete ${kv.key.toString()}`);
      });
      watcher.on('disconnected', (err) => this.outage(`etcd watch disconnected (${err.message})`));
      watcher.on('error', (err) => this.outage(`etcd watch failed (${err.message})`));
      this.startLivenessCheck(watcher);
      this.backoff.reset();
    } catch (err) {
      if (this.destroyed) return;
      const message = `etcd ${this.prefix}: ${(err as Error).message}`;
      const wait = this.backoff.start();
      this.sink?.report({ type: 'resolver-error', message: `${message}; retrying in ${wait.ms} ms${this.hadList ? ', keeping the last list' : ''}` });
      // Before any good list, the channel must learn that resolution fails; after one, keep it.
      if (!this.hadList) this.listener(experimental.statusOrFromError({ code: status.UNAVAILABLE, details: message }), {}, null, message);
      void wait.done.then(() => this.start());
    }
  }

  /**
   * A watch can stay silent while etcd is gone (a frozen member keeps its TCP connections open):
   * every 2 s, a cheap count with a deadline; no answer means an outage.
   */
  private startLivenessCheck(watcher: Watcher): void {
    clearInterval(this.livenessTimer);
    this.livenessTimer = setInterval(() => {
      if (this.watcher !== watcher) return clearInterval(this.livenessTimer);
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 1.5 s')), 1500).unref());
      Promise.race([this.client.getAll().prefix(this.prefix).count(), timeout]).catch((err: Error) => {
        if (this.watcher === watcher) this.outage(`etcd is not answering (${err.message})`);
      });
    }, 2000);
    this.livenessTimer.unref();
  }

  /**
   * etcd went away: keep the last list (never empty it), drop the watch, and resync from scratch
   * once etcd answers again. Resuming the old watch could miss changes if etcd came back with
   * other history (a restarted member without its data).
   */
  private outage(message: string): void {
    if (this.destroyed || !this.watcher) return;
    clearInterval(this.livenessTimer);
    const w = this.watcher;
    this.watcher = undefined;
    w.removeAllListeners();
    void w.cancel().catch(() => undefined);
    this.sink?.report({ type: 'resolver-error', message: `${message}; keeping the last list and resyncing` });
    this.backoff.reset();
    void this.backoff.start().done.then(() => this.start());
  }

  private put(key: string, value: string): void {
    const r = parseEtcdRecord(value);
    if (r) this.entries.set(key, r);
    else this.sink?.report({ type: 'resolver-error', message: `etcd ${key}: value is not a JSON object; ignored` });
  }

  private publish(note: string): void {
    if (this.destroyed) return;
    this.hadList = true;
    const attrs: AttributeMap = new Map();
    const endpoints: experimental.Endpoint[] = [];
    for (const [key, r] of this.entries) {
      const address = this.kind === 'cluster' ? r.cluster : r.host;
      const hp = address ? toHostPort(address) : undefined;
      if (!hp || !address) continue;
      endpoints.push({ addresses: [hp] });
      attrs.set(address, { id: r.id ?? key.slice(this.prefix.length), weight: r.weight ?? 1, zone: r.zone ?? '', metadata: r.metadata ?? {} });
    }
    this.listener(experimental.statusOrFromValue(endpoints), { [ENDPOINT_ATTRIBUTES]: attrs }, null, `etcd: ${note}`);
  }

  updateResolution(): void {
    // The watch keeps the list current, so there is nothing to fetch. Answering here (balancers ask
    // whenever they leave READY) would also feed the balancer synchronously from inside itself.
  }

  destroy(): void {
    this.destroyed = true;
    this.backoff.stop();
    clearInterval(this.livenessTimer);
    void this.watcher?.cancel().catch(() => undefined);
    this.client.close();
  }

  static getDefaultAuthority(target: experimental.GrpcUri): string {
    return target.path.replace(/^\//, '');
  }
}

export function setup(): void {
  experimental.registerResolver('etcd', EtcdResolver);
  knowScheme('etcd', (path) => (path.replace(/^\//, '') ? undefined : 'name the service: etcd:///echo'), 'lab');
}
