// The lab's gRPC router (seed 003): a semi-transparent HTTP/2 proxy. Each request's :path names its
// gRPC service; a routing table maps the service to an upstream (any target the lab can dial:
// etcd:///echo, consul:///echo, ipv4:a,b) and a balancer, so each request is balanced on its own.
// The call is forwarded at the frame level (forward.ts): headers as they came, DATA as bytes, the
// backend's headers, trailers and resets back; one HTTP/2 connection per backend carries every
// call to it. Per method, the router can delay a share of calls and abort a share with a status
// (faults.ts), for any server behind it.
import net from 'node:net';
import { Metadata, status, type ChannelOptions } from '@grpc/grpc-js';
import { serviceConfigFrom, type ServiceConfigJson } from '../traffic/index.js';
import { CallFaults, H2Connection, headerValue, RelayedCall, type CallFault, type ConnectionSettings, type FaultCounts, type Header } from '../h2/index.js';
import { routerPolicy, type PickArgs, type RouterPolicy } from './policy.js';
import { Upstream, type Backend } from './upstream.js';

export { percentEncode } from '../h2/index.js';

export interface Route {
  /** A gRPC service name (grpc.examples.echo.Echo), or * for every service not named. */
  service: string;
  target: string;
  serviceConfig: ServiceConfigJson;
}

export interface RouterStats {
  requests: number;
  unrouted: number;
  byService: Record<string, number>;
  /** Per backend address: the calls the router sent it, those that ended with a status other than OK, and the connections it dialled. */
  byBackend: Record<string, { calls: number; errors: number; connections?: number }>;
  /** Per method a fault matched: its calls, and how many the router aborted and delayed. */
  faults: Record<string, FaultCounts>;
}

/** One call the router finished: who served it (its name for itself, else its address; "(none)" for the router's own answers), its status, its time. */
export interface RoutedCall {
  backend: string;
  code: number;
  micros: number;
}

export interface RouterOptions {
  /** The HTTP/2 settings of the router's side towards callers and towards backends: each stream's window, the streams a caller may open. */
  settings?: { initialWindowSize?: number; maxConcurrentStreams?: number };
  faults?: CallFault[];
}

/** Headers a lab policy may hash on (ring_hash's header), as grpc-js Metadata, built only when asked. */
function pickArgs(headers: readonly Header[]): PickArgs {
  let md: Metadata | undefined;
  return {
    get metadata() {
      if (!md) {
        md = new Metadata();
        for (const [k, v] of headers) if (!k.startsWith(':') && !k.endsWith('-bin')) md.add(k, v);
      }
      return md;
    },
    extraPickInfo: {},
  };
}

/** Each stream's window 1 MiB, the whole connection's 16 MiB: many calls share one caller's connection. */
const DEFAULT_SETTINGS: ConnectionSettings = { maxConcurrentStreams: 10_000, initialWindowSize: 1 << 20, connectionWindowSize: 16 << 20 };

export class GrpcRouter {
  private server?: net.Server;
  private readonly conns = new Set<H2Connection>();
  private readonly upstreams = new Map<string, Upstream>();
  private readonly policies: Map<string, RouterPolicy>;
  /** Each route by its service (the first route named for a service wins, as a search of the list would). */
  private readonly routeOf: Map<string, Route>;
  private readonly settings: ConnectionSettings;
  readonly faults: CallFaults;
  private readonly counts: Omit<RouterStats, 'faults'> = { requests: 0, unrouted: 0, byService: {}, byBackend: {} };
  private observer?: (call: RoutedCall) => void;
  /** Backend address -> the name its server gave (x-lab-backend), for calls that end without one. */
  private readonly identities = new Map<string, string>();

  /** Throws an InputError for a route whose balancer the router cannot run. */
  constructor(
    private readonly routes: Route[],
    private readonly channelOptions: ChannelOptions = {},
    options: RouterOptions = {},
  ) {
    this.policies = new Map(routes.map((r) => [r.service, routerPolicy(r.serviceConfig)]));
    this.routeOf = new Map(routes.toReversed().map((r) => [r.service, r]));
    this.settings = { ...DEFAULT_SETTINGS, ...options.settings };
    this.faults = new CallFaults(options.faults);
  }

  static route(service: string, target: string, lb: string | object = 'round_robin'): Route {
    return { service, target, serviceConfig: serviceConfigFrom(lb) };
  }

  /** What each route balances with, as the router says it: "round_robin (the router's own)". */
  balancerOf(route: Route): string {
    return this.policies.get(route.service)!.label;
  }

  get stats(): RouterStats {
    const byBackend = structuredClone(this.counts.byBackend);
    for (const u of this.upstreams.values()) for (const [a, n] of u.connections()) (byBackend[a] ??= { calls: 0, errors: 0 }).connections = n;
    return { ...this.counts, byBackend, faults: Object.fromEntries([...this.faults.counts].map(([k, v]) => [k, { ...v }])) };
  }

  /** Calls `fn` for every call the router finishes (the run's series of the router as a client). */
  observe(fn: ((call: RoutedCall) => void) | undefined): void {
    this.observer = fn;
  }

  listen(host: string, port: number): Promise<number> {
    const server = net.createServer({ noDelay: true }, (socket) => {
      const conn: H2Connection = new H2Connection(
        socket,
        'server',
        { stream: (id, headers, end) => this.handle(conn, id, headers, end), close: () => this.conns.delete(conn) },
        this.settings,
      );
      this.conns.add(conn);
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port }, () => resolve((server.address() as net.AddressInfo).port));
    });
  }

  /**
   * Stops taking connections, sends each caller a GOAWAY and lets the calls in flight finish (up to
   * `graceMs`; then they are cut), then closes the backends' connections.
   */
  async close(graceMs = 1000): Promise<void> {
    const closed = new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    for (const c of this.conns) c.close();
    const timer = setTimeout(() => {
      for (const c of this.conns) c.destroy();
    }, graceMs);
    await closed;
    clearTimeout(timer);
    for (const u of this.upstreams.values()) u.close();
    this.upstreams.clear();
  }

  private upstreamFor(route: Route): Upstream {
    let u = this.upstreams.get(route.service);
    if (!u) {
      u = new Upstream(route.target, this.policies.get(route.service)!, this.channelOptions, this.settings);
      this.upstreams.set(route.service, u);
    }
    return u;
  }

  private handle(conn: H2Connection, id: number, headers: Header[], end: boolean): void {
    const call = new RelayedCall(conn, id, headers, end);
    conn.attach(id, call);
    const path = headerValue(headers, ':path') ?? '';
    const slash = path.indexOf('/', 1);
    const service = path[0] === '/' && slash > 1 && slash < path.length - 1 && path.indexOf('/', slash + 1) < 0 ? path.slice(1, slash) : undefined;
    const route = service ? (this.routeOf.get(service) ?? this.routeOf.get('*')) : undefined;
    this.counts.requests++;
    if (!route || !service || !(headerValue(headers, 'content-type') ?? '').startsWith('application/grpc')) {
      this.counts.unrouted++;
      return this.own(call, status.UNIMPLEMENTED, service ? `the router has no route for ${service}` : `not a gRPC path: ${path}`);
    }
    this.counts.byService[service] = (this.counts.byService[service] ?? 0) + 1;
    const fault = this.faults.decide(path);
    if (fault.delayMs > 0) {
      // Held before a backend is picked: the caller's messages wait, uncredited, in its stream's window.
      const timer = setTimeout(() => this.route(call, route, path, fault.abort), fault.delayMs);
      call.onGone = () => {
        clearTimeout(timer);
        this.left(call);
      };
      return;
    }
    this.route(call, route, path, fault.abort);
  }

  /** The router's own answer (no route, a fault's abort, no backend ready), counted as a call no backend served. */
  private own(call: RelayedCall, code: number, message: string): void {
    if (call.done) return;
    call.done = true;
    call.answer(code, message);
    this.observer?.({ backend: '(none)', code, micros: (performance.now() - call.started) * 1000 });
  }

  /** The caller left before a backend was picked (its deadline passed in a delay or a wait): CANCELLED, by no backend. */
  private left(call: RelayedCall): void {
    if (call.done) return;
    call.done = true;
    this.observer?.({ backend: '(none)', code: status.CANCELLED, micros: (performance.now() - call.started) * 1000 });
  }

  private route(call: RelayedCall, route: Route, path: string, abort?: { code: number; message: string }): void {
    call.onGone = undefined;
    if (call.gone) return this.left(call);
    if (abort) {
      this.faults.aborted(path);
      return this.own(call, abort.code, abort.message);
    }
    this.attempt(call, this.upstreamFor(route));
  }

  /** Picks a backend and sends the call to it; with none ready yet, tries again at the upstream's next change. */
  private attempt(call: RelayedCall, upstream: Upstream): void {
    if (call.gone) return this.left(call);
    const p = upstream.pick(pickArgs(call.request));
    if ('backend' in p) return this.send(call, upstream, p.backend);
    if ('fail' in p) return this.own(call, status.UNAVAILABLE, p.fail);
    // Nothing ready yet, something connecting: wait for it (as a channel's queued pick does).
    let cancel: (() => void) | undefined = upstream.onChange(() => {
      cancel = undefined;
      this.attempt(call, upstream);
    });
    call.onGone = () => {
      cancel?.();
      cancel = undefined;
      this.left(call);
    };
  }

  private send(call: RelayedCall, upstream: Upstream, backend: Backend): void {
    call.onGone = undefined;
    call.deductWait();
    const counts = (this.counts.byBackend[backend.address] ??= { calls: 0, errors: 0 });
    counts.calls++;
    const tracks = upstream.tracksCalls;
    if (tracks) backend.endpoint.inFlight++;
    call.forward(backend.conn!, backend.address, (code, identity, refused) => {
      const ms = performance.now() - call.started;
      if (tracks) upstream.callEnded(backend, code, ms);
      // Refused unprocessed: the caller's grpc-js retries it by itself; its retry is the call that counts.
      if (refused) return;
      if (code !== status.OK) counts.errors++;
      if (identity) this.identities.set(backend.address, identity);
      this.observer?.({ backend: identity ?? this.identities.get(backend.address) ?? backend.address, code, micros: ms * 1000 });
    });
  }
}

/** A gRPC fault the router injects per method (the h2 room's CallFault). */
export type RouterFault = CallFault;
