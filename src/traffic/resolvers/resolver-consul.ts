// consul://<agent>/<service>?healthy=true&tag=..&wait=14s — the query parameters of the widely used
// Go resolver (mbobakov/grpc-consul-resolver): wait, tag, healthy, near, limit, dc, token,
// allow-stale, require-consistent. Blocking queries on /v1/health/service/<name> with `index`;
// on errors the last good list stays and the query backs off. Empty authority = the lab's Consul.
import { experimental, status, type ChannelOptions } from '@grpc/grpc-js';
import { Backoff } from '../../util/backoff.js';
import { knowScheme } from '../targets.js';
import { sinkFor, type ClientSink } from '../sink.js';
import { ENDPOINT_ATTRIBUTES, type AttributeMap } from './endpoint-attributes.js';
import { ADDRESS_KIND_OPTION } from './resolver-etcd.js';
import type { ConsulMetaRecord } from '../../wire/index.js';
import { deadline } from '../../util/deadline.js';

export const CONSUL_ADDRESS_OPTION = 'lab.consul_address';
export const DEFAULT_CONSUL = '127.77.0.3:8500';

export interface ConsulQuery {
  service: string;
  healthy: boolean;
  tag?: string;
  wait: string;
  near?: string;
  limit?: number;
  dc?: string;
  token?: string;
  stale: boolean;
  consistent: boolean;
}

const KNOWN = new Set(['healthy', 'tag', 'wait', 'near', 'limit', 'dc', 'token', 'allow-stale', 'require-consistent', 'timeout', 'max-backoff']);

/** Parses "<service>?k=v&..." as the Go resolver does; throws on an unknown parameter. */
export function parseConsulPath(path: string): ConsulQuery {
  const [service, query = ''] = path.replace(/^\//, '').split('?', 2);
  const q = new URLSearchParams(query);
  for (const k of q.keys()) if (!KNOWN.has(k)) throw new Error(`unknown consul:// parameter "${k}" (known: ${[...KNOWN].join(', ')})`);
  for (const k of ['healthy', 'allow-stale', 'require-consistent'])
    if (q.has(k) && !['true', 'false', '1', '0', ''].includes(q.get(k)!)) throw new Error(`consul:// parameter ${k}=${q.get(k)}: expected true or false`);
  for (const k of ['wait', 'timeout', 'max-backoff'])
    if (q.has(k) && !/^\d+(\.\d+)?(ms|s|m|h)$/.test(q.get(k)!))
      throw new Error(`consul:// parameter ${k}=${q.get(k)}: expected a duration with its unit, such as 5s`);
  if (q.has('limit') && !/^[1-9]\d*$/.test(q.get('limit')!)) throw new Error(`consul:// parameter limit=${q.get('limit')}: expected a whole number above 0`);
  const bool = (k: string) => ['true', '1', ''].includes(q.get(k) ?? 'false') && q.has(k);
  const limit = q.get('limit');
  return {
    service,
    healthy: bool('healthy'),
    tag: q.get('tag') ?? undefined,
    wait: q.get('wait') ?? '14s',
    near: q.get('near') ?? undefined,
    limit: limit ? Number(limit) : undefined,
    dc: q.get('dc') ?? undefined,
    token: q.get('token') ?? undefined,
    stale: bool('allow-stale'),
    consistent: bool('require-consistent'),
  };
}

interface HealthEntry {
  Service: { ID: string; Service: string; Address: string; Port: number; Meta?: ConsulMetaRecord; Weights?: { Passing: number } };
  Node: { Address: string };
}

class ConsulResolver implements experimental.Resolver {
  private readonly base: string;
  private readonly query: ConsulQuery;
  private readonly sink?: ClientSink;
  private readonly kind: 'host' | 'cluster';
  private index = '0';
  private destroyed = false;
  private hadList = false;
  private abort = new AbortController();
  private readonly backoff = new Backoff({ initialMs: 100, maxMs: 10_000 });
  private lastRefresh = 0;
  private last: experimental.Endpoint[] = [];
  private lastAttrs: AttributeMap = new Map();

  constructor(
    target: experimental.GrpcUri,
    private readonly listener: experimental.ResolverListener,
    options: ChannelOptions,
  ) {
    const agent = target.authority || String(options[CONSUL_ADDRESS_OPTION] ?? '') || DEFAULT_CONSUL;
    this.base = agent.includes('://') ? agent : `http://${agent}`;
    this.query = parseConsulPath(target.path);
    this.kind = options[ADDRESS_KIND_OPTION] === 'cluster' ? 'cluster' : 'host';
    this.sink = sinkFor(options);
    setImmediate(() => void this.loop());
  }

  private url(): string {
    const p = new URLSearchParams({ index: this.index, wait: this.query.wait });
    if (this.query.healthy) p.set('passing', '1');
    if (this.query.tag) p.set('tag', this.query.tag);
    if (this.query.near) p.set('near', this.query.near);
    if (this.query.dc) p.set('dc', this.query.dc);
    if (this.query.stale) p.set('stale', '');
    if (this.query.consistent) p.set('consistent', '');
    return `${this.base}/v1/health/service/${encodeURIComponent(this.query.service)}?${p}`;
  }

  private async loop(): Promise<void> {
    while (!this.destroyed) {
      const poll = deadline(60_000, this.abort.signal);
      try {
        const res = await fetch(this.url(), {
          signal: poll.signal,
          headers: this.query.token ? { 'X-Consul-Token': this.query.token } : {},
        });
        if (!res.ok) throw new Error(`HTTP ${res.status}: ${(await res.text()).trim()}`);
        const entries = (await res.json()) as HealthEntry[];
        const next = res.headers.get('X-Consul-Index') ?? '0';
        // Consul's rule: an index that goes backwards means start over.
        this.index = BigInt(next) < BigInt(this.index) ? '0' : next;
        poll.clear();
        this.backoff.reset();
        this.publish(entries);
      } catch (err) {
        poll.clear();
        if (this.destroyed) return;
        if ((err as Error).name === 'AbortError' && this.index === '0' && this.hadList) continue; // a refresh
        const message = `consul ${this.query.service}: ${(err as Error).message}`;
        const wait = this.backoff.start();
        this.sink?.report({ type: 'resolver-error', message: `${message}; retrying in ${wait.ms} ms${this.hadList ? ', keeping the last list' : ''}` });
        if (!this.hadList) this.listener(experimental.statusOrFromError({ code: status.UNAVAILABLE, details: message }), {}, null, message);
        await wait.done;
      }
    }
  }

  private publish(entries: HealthEntry[]): void {
    const list = this.query.limit ? entries.slice(0, this.query.limit) : entries;
    const endpoints: experimental.Endpoint[] = [];
    const attrs: AttributeMap = new Map();
    for (const e of list) {
      const s = e.Service;
      const cluster = s.Meta?.cluster;
      let host = s.Address || e.Node.Address;
      let port = s.Port;
      const hp = this.kind === 'cluster' && cluster ? experimental.splitHostPort(cluster) : null;
      if (hp?.port !== undefined) {
        host = hp.host;
        port = hp.port;
      }
      endpoints.push({ addresses: [{ host, port }] });
      attrs.set(`${host}:${port}`, {
        id: s.ID,
        weight: Number(s.Meta?.weight ?? s.Weights?.Passing ?? 1) || 1,
        zone: s.Meta?.zone ?? '',
        metadata: s.Meta ?? {},
      });
    }
    const changed =
      !this.hadList || JSON.stringify(endpoints) !== JSON.stringify(this.last) || JSON.stringify([...attrs]) !== JSON.stringify([...this.lastAttrs]);
    this.hadList = true;
    this.last = endpoints;
    this.lastAttrs = attrs;
    if (!changed) return;
    this.emit('blocking query returned');
  }

  private emit(note: string): void {
    this.listener(experimental.statusOrFromValue(this.last), { [ENDPOINT_ATTRIBUTES]: this.lastAttrs }, null, `consul: ${note}`);
  }

  /** Balancers ask when they leave READY: end the blocking query and ask afresh, at most once a second. */
  updateResolution(): void {
    const now = Date.now();
    if (now - this.lastRefresh < 1000 || !this.hadList) return;
    this.lastRefresh = now;
    this.index = '0';
    const old = this.abort;
    this.abort = new AbortController();
    old.abort();
  }

  destroy(): void {
    this.destroyed = true;
    this.abort.abort();
    this.backoff.stop();
  }

  static getDefaultAuthority(target: experimental.GrpcUri): string {
    return parseConsulPath(target.path).service;
  }
}

export function setup(): void {
  experimental.registerResolver('consul', ConsulResolver);
  knowScheme(
    'consul',
    (path) => {
      try {
        return parseConsulPath(path).service ? undefined : 'name the service: consul:///echo';
      } catch (err) {
        return (err as Error).message;
      }
    },
    'lab',
  );
}
