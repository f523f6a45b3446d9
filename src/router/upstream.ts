// One route's upstream: the addresses its target resolves to (any resolver grpc-js knows, the lab's
// etcd: and consul: included), one HTTP/2 connection per address carrying many streams, and the
// pick among the ready ones. A connection is ready once the backend's SETTINGS come; one that fails
// (or ends within a second of coming up) is tried again after a backoff (grpc-js's: 1 s, ×1.6,
// ±20 %, at most 10 s here), one that ends after it was up longer is dialled again at once; a
// GOAWAY moves new streams to a fresh connection while the old one finishes its own.
import net from 'node:net';
import { experimental, type ChannelOptions } from '@grpc/grpc-js';
import { attributesOf, knownSchemes, parseTarget, weightOf } from '../traffic/index.js';
import { Backoff } from '../util/backoff.js';
import { H2Connection, type ConnectionSettings } from '../h2/index.js';
import type { EndpointState, PickArgs, PickPolicy, RouterPolicy } from './policy.js';

/** grpc-js's reconnect backoff, at most 10 s here. */
const BACKOFF = { initialMs: 1000, multiplier: 1.6, maxMs: 10_000, jitter: 0.2 };
/** grpc-js's least connect timeout: a backend that takes no connection in this long is a failure. */
const CONNECT_TIMEOUT_MS = 20_000;
/** A connection that ends in a GOAWAY after this long is dialled again at once. */
const GOAWAY_MIN_LIFE_MS = 100;

/** One backend address and the connection the router keeps to it. */
export class Backend {
  conn?: H2Connection;
  phase: 'connecting' | 'ready' | 'failed' | 'closed' = 'connecting';
  lastError = '';
  /** Connections dialled so far (a GOAWAY or a loss makes a new one). */
  connections = 0;
  readonly endpoint: EndpointState;
  private readonly backoff = new Backoff(BACKOFF);

  constructor(
    readonly address: string,
    private readonly settings: ConnectionSettings,
    private readonly onChange: (b: Backend) => void,
  ) {
    this.endpoint = { address, weight: 1, inFlight: 0, policy: {} };
    this.connect();
  }

  private connect(): void {
    const hp = experimental.splitHostPort(this.address);
    let upSince = 0;
    // Ready once the backend's SETTINGS came (an HTTP/2 server), not at the TCP connect: a port that
    // accepts and closes at once (a reset link, a proxy with nothing behind it) is a failure.
    // Every address a resolver gives has a port (subchannelAddressToString); port 0 makes a missing one a refused connect.
    const socket = net.connect({ host: hp?.host ?? this.address, port: hp?.port ?? 0 });
    const timeout = setTimeout(() => {
      this.lastError = `no HTTP/2 answer within ${CONNECT_TIMEOUT_MS / 1000} s`;
      socket.destroy();
    }, CONNECT_TIMEOUT_MS);
    // A connection that stayed up a while and ends: dial again at once, with the backoff from its
    // start. One that failed, or ended as soon as it was up, waits out a growing backoff (a server
    // that answers every connection with a GOAWAY or a close would otherwise be dialled in a loop).
    const redial = (lastedMs: number) => {
      this.conn = undefined;
      this.phase = 'failed';
      if (upSince > 0 && performance.now() - upSince >= lastedMs) {
        this.backoff.reset();
        this.connect();
      } else void this.backoff.start().done.then(() => this.phase !== 'closed' && this.connect());
      this.onChange(this);
    };
    const conn: H2Connection = new H2Connection(
      socket,
      'client',
      {
        ready: () => {
          clearTimeout(timeout);
          if (this.conn !== conn) return;
          this.phase = 'ready';
          upSince = performance.now();
          this.onChange(this);
        },
        // A GOAWAY: the streams it has finish on it; new ones go to a new connection.
        goaway: () => {
          if (this.conn !== conn || this.phase === 'closed') return;
          conn.close();
          redial(GOAWAY_MIN_LIFE_MS); // a GOAWAY is a graceful end (max_connection_age, a drain)
        },
        // A stream ended while the connection was at the backend's stream limit: a waiting call can go.
        slot: () => this.onChange(this),
        close: (error) => {
          clearTimeout(timeout);
          if (error) this.lastError = error;
          if (this.conn !== conn || this.phase === 'closed') return;
          redial(BACKOFF.initialMs);
        },
      },
      this.settings,
    );
    this.conn = conn;
    this.phase = 'connecting';
    this.connections++;
  }

  close(): void {
    this.phase = 'closed';
    this.backoff.stop();
    // Graceful: streams in flight finish; the socket ends after them.
    this.conn?.close();
    this.conn = undefined;
  }

  destroy(): void {
    const c = this.conn;
    this.close();
    c?.destroy();
  }
}

/** What a pick can say when no backend is ready: wait (something is connecting), or fail now. */
export type Pick = { backend: Backend } | { wait: true } | { fail: string };

/** grpc-js's target syntax: scheme:[//authority/]path; a scheme no resolver knows (host:port) means dns. */
function grpcUri(target: string): experimental.GrpcUri {
  const t = parseTarget(target);
  return t.scheme && knownSchemes().includes(t.scheme.toLowerCase()) ? t : { scheme: 'dns', path: target };
}

export class Upstream {
  private readonly backends = new Map<string, Backend>();
  private ready: Backend[] = [];
  private readyStates: EndpointState[] = [];
  private readonly policy: PickPolicy;
  private resolver?: experimental.Resolver;
  private resolved = false;
  private resolutionError = '';
  private lastReresolve = 0;
  private waiters: Array<() => void> = [];

  constructor(
    readonly target: string,
    policy: RouterPolicy,
    options: ChannelOptions,
    private readonly settings: ConnectionSettings,
  ) {
    this.policy = policy.make();
    this.resolver = experimental.createResolver(grpcUri(target), (endpoints, attributes) => this.onResolution(endpoints, attributes), options);
    this.resolver.updateResolution();
  }

  private onResolution(endpoints: experimental.StatusOr<experimental.Endpoint[]>, attributes: Record<string, unknown>): boolean {
    this.resolved = true;
    if (!endpoints.ok) {
      this.resolutionError = endpoints.error.details;
      this.changed();
      return true;
    }
    this.resolutionError = '';
    const listed = new Map<string, experimental.Endpoint>();
    for (const e of endpoints.value) {
      const address = experimental.subchannelAddressToString(e.addresses[0]);
      if (!listed.has(address)) listed.set(address, e);
    }
    for (const [address, b] of this.backends)
      if (!listed.has(address)) {
        b.close();
        this.backends.delete(address);
      }
    // The resolver's order (pick_first takes the first ready one).
    const ordered = new Map<string, Backend>();
    for (const [address, e] of listed) {
      const b = this.backends.get(address) ?? new Backend(address, this.settings, () => this.changed());
      b.endpoint.weight = weightOf(attributes, address, e);
      b.endpoint.attributes = attributesOf(attributes, address);
      ordered.set(address, b);
    }
    this.backends.clear();
    for (const [a, b] of ordered) this.backends.set(a, b);
    this.changed();
    return true;
  }

  /** The ready set changed (a connection came up or went, the list changed): rebuild, and let waiting calls pick. */
  private changed(): void {
    this.ready = [...this.backends.values()].filter((b) => b.phase === 'ready' && b.conn);
    this.readyStates = this.ready.map((b) => b.endpoint);
    this.policy.rebuild?.(this.readyStates);
    if (this.ready.length < this.backends.size && Date.now() - this.lastReresolve > 1000) {
      // A backend is down: ask the resolver again (DNS answers once; the lab's etcd and Consul resolvers watch anyway).
      this.lastReresolve = Date.now();
      this.resolver?.updateResolution();
    }
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }

  pick(args: PickArgs): Pick {
    const ready = this.ready;
    if (ready.length > 0) {
      const b = ready.length === 1 ? ready[0] : (ready[this.policy.choose(this.readyStates, args)] ?? ready[0]);
      if (b.conn!.canOpen) return { backend: b };
      // At the backend's stream limit: another ready one that has room, else wait for a stream to end (as nghttp2 queues it).
      const other = ready.find((x) => x.conn!.canOpen);
      return other ? { backend: other } : { wait: true };
    }
    if (!this.resolved || [...this.backends.values()].some((b) => b.phase === 'connecting')) return { wait: true };
    if (this.resolutionError) return { fail: `${this.target}: ${this.resolutionError}` };
    if (this.backends.size === 0) return { fail: `${this.target} resolves to no address` };
    const last = [...this.backends.values()].map((b) => `${b.address} ${b.lastError || 'not connected'}`);
    return { fail: `no backend of ${this.target} is ready (${last.join('; ')})` };
  }

  /** Calls `fn` once something changes (a backend up or down, a new list); returns a cancel. */
  onChange(fn: () => void): () => void {
    this.waiters.push(fn);
    return () => (this.waiters = this.waiters.filter((w) => w !== fn));
  }

  get tracksCalls(): boolean {
    return !!this.policy.tracksCalls;
  }

  callEnded(b: Backend, code: number, latencyMs: number): void {
    b.endpoint.inFlight = Math.max(0, b.endpoint.inFlight - 1);
    this.policy.onCallEnded?.(b.endpoint, { code, latencyMs });
  }

  /** Connections dialled per backend address listed now. */
  connections(): Map<string, number> {
    return new Map([...this.backends].map(([a, b]) => [a, b.connections]));
  }

  close(): void {
    this.resolver?.destroy();
    this.resolver = undefined;
    for (const b of this.backends.values()) b.destroy();
    this.backends.clear();
    this.changed();
  }
}
