// The lab's gRPC router (seed 003): a semi-transparent HTTP/2 proxy. Each request's :path names its
// gRPC service; a routing table maps the service to an upstream (any target the lab can dial:
// etcd:///echo, consul:///echo, ipv4:a,b) and a balancer, so each request is balanced on its own.
// The call is forwarded at the frame level (forward.ts): headers as they came, DATA as bytes, the
// backend's headers, trailers and resets back; one HTTP/2 connection per backend carries every
// call to it. Per method, the router can delay a share of calls and abort a share with a status
// (faults.ts), for any server behind it.
import http2, { type Http2Server, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { Metadata, status, type ChannelOptions } from '@grpc/grpc-js';
import { serviceConfigFrom, type ServiceConfigJson } from '../traffic/index.js';
import { RouterFaults, type FaultCounts, type RouterFault } from './faults.js';
import { answer, forward, gone } from './forward.js';
import { routerPolicy, type PickArgs, type RouterPolicy } from './policy.js';
import { Upstream, type Backend } from './upstream.js';

export { percentEncode } from './forward.js';

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

/** A caller's stream as the router holds it until it picks a backend. */
interface InboundCall {
  stream: ServerHttp2Stream;
  headers: IncomingHttpHeaders;
  started: number;
  /** Answered, forwarded, or counted as left: counted once. */
  done?: boolean;
}

/** One call the router finished: who served it (its name for itself, else its address; "(none)" for the router's own answers), its status, its time. */
export interface RoutedCall {
  backend: string;
  code: number;
  micros: number;
}

export interface RouterOptions {
  /** The HTTP/2 settings of the router's side towards callers and towards backends (window sizes ...). */
  settings?: http2.Settings;
  faults?: RouterFault[];
}

/** grpc-timeout: "100m", "5S", "1H" ... (hours, minutes, seconds, milli, micro, nano) → ms. */
export function timeoutMs(value: string | undefined): number | undefined {
  const m = /^(\d{1,8})([HMSmun])$/.exec(value ?? '');
  if (!m) return undefined;
  const n = Number(m[1]);
  return { H: n * 3_600_000, M: n * 60_000, S: n * 1000, m: n, u: n / 1000, n: n / 1e6 }[m[2]]!;
}

/** Headers a lab policy may hash on (ring_hash's header), as grpc-js Metadata, built only when asked. */
function pickArgs(headers: IncomingHttpHeaders): PickArgs {
  let md: Metadata | undefined;
  return {
    get metadata() {
      if (!md) {
        md = new Metadata();
        for (const [k, v] of Object.entries(headers))
          if (!k.startsWith(':') && !k.endsWith('-bin') && v !== undefined) for (const one of Array.isArray(v) ? v : [v]) md.add(k, one);
      }
      return md;
    },
    extraPickInfo: {},
  };
}

const DEFAULT_SETTINGS: http2.Settings = { maxConcurrentStreams: 10_000, initialWindowSize: 1 << 20 };

export class GrpcRouter {
  private server?: Http2Server;
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private readonly upstreams = new Map<string, Upstream>();
  private readonly policies: Map<string, RouterPolicy>;
  private readonly settings: http2.Settings;
  readonly faults: RouterFaults;
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
    this.settings = { ...DEFAULT_SETTINGS, ...options.settings };
    this.faults = new RouterFaults(options.faults);
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
    const server = http2.createServer({ settings: this.settings });
    server.on('stream', (stream, headers) => this.handle(stream, headers));
    server.on('session', (session) => {
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
      session.on('error', () => undefined);
      // The whole connection's window, not only each stream's: many calls share one caller's connection.
      session.once('localSettings', () => session.setLocalWindowSize(16 << 20));
    });
    server.on('sessionError', () => undefined);
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port }, () => resolve((server.address() as { port: number }).port));
    });
  }

  /**
   * Stops taking connections, sends each caller a GOAWAY and lets the calls in flight finish (up to
   * `graceMs`; then they are cut), then closes the backends' connections.
   */
  async close(graceMs = 1000): Promise<void> {
    const closed = new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    for (const s of this.sessions) s.close();
    const timer = setTimeout(() => {
      for (const s of this.sessions) s.destroy();
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

  private handle(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    stream.on('error', () => undefined);
    const call: InboundCall = { stream, headers, started: performance.now() };
    const path = headers[':path'] ?? '';
    const slash = path.indexOf('/', 1);
    const service = path[0] === '/' && slash > 1 && slash < path.length - 1 && path.indexOf('/', slash + 1) < 0 ? path.slice(1, slash) : undefined;
    const route = service ? (this.routes.find((r) => r.service === service) ?? this.routes.find((r) => r.service === '*')) : undefined;
    this.counts.requests++;
    if (!route || !service || !String(headers['content-type'] ?? '').startsWith('application/grpc')) {
      this.counts.unrouted++;
      return this.own(call, status.UNIMPLEMENTED, service ? `the router has no route for ${service}` : `not a gRPC path: ${path}`);
    }
    this.counts.byService[service] = (this.counts.byService[service] ?? 0) + 1;
    const fault = this.faults.decide(path);
    if (fault.delayMs > 0) {
      // Held before a backend is picked: the caller's messages wait in its stream's window.
      stream.pause();
      const timer = setTimeout(() => this.route(call, route, fault.abort), fault.delayMs);
      stream.once('close', () => {
        clearTimeout(timer);
        this.left(call);
      });
      return;
    }
    this.route(call, route, fault.abort);
  }

  /** The router's own answer (no route, a fault's abort, no backend ready), counted as a call no backend served. */
  private own(call: InboundCall, code: number, message: string): void {
    if (call.done) return;
    call.done = true;
    answer(call.stream, code, message);
    this.observer?.({ backend: '(none)', code, micros: (performance.now() - call.started) * 1000 });
  }

  /** The caller left before a backend was picked (its deadline passed in a delay or a wait): CANCELLED, by no backend. */
  private left(call: InboundCall): void {
    if (call.done) return;
    call.done = true;
    if (!call.stream.destroyed) call.stream.destroy();
    this.observer?.({ backend: '(none)', code: status.CANCELLED, micros: (performance.now() - call.started) * 1000 });
  }

  private route(call: InboundCall, route: Route, abort?: { code: number; message: string }): void {
    if (gone(call.stream)) return this.left(call);
    if (abort) {
      this.faults.aborted(call.headers[':path'] ?? '');
      return this.own(call, abort.code, abort.message);
    }
    const upstream = this.upstreamFor(route);
    let cancel: (() => void) | undefined;
    let listening = false;
    const attempt = () => {
      cancel = undefined;
      if (gone(call.stream)) return this.left(call);
      const p = upstream.pick(pickArgs(call.headers));
      if ('backend' in p) return this.send(call, upstream, p.backend);
      if ('fail' in p) return this.own(call, status.UNAVAILABLE, p.fail);
      // Nothing ready yet, something connecting: wait for it (as a channel's queued pick does).
      cancel = upstream.onChange(attempt);
      if (listening) return;
      listening = true; // one listener per call, however often it waits again
      call.stream.once('close', () => {
        if (!cancel) return;
        cancel();
        cancel = undefined;
        this.left(call);
      });
    };
    attempt();
  }

  private send(call: InboundCall, upstream: Upstream, backend: Backend): void {
    const { stream, headers, started } = call;
    call.done = true;
    const waited = performance.now() - started;
    const timeout = waited > 1 ? timeoutMs(headers['grpc-timeout'] as string | undefined) : undefined;
    // What the caller's deadline has left after a wait (a delay fault, a connection coming up).
    if (timeout !== undefined) headers['grpc-timeout'] = `${Math.max(1, Math.floor(timeout - waited))}m`;
    const counts = (this.counts.byBackend[backend.address] ??= { calls: 0, errors: 0 });
    counts.calls++;
    const tracks = upstream.tracksCalls;
    if (tracks) backend.endpoint.inFlight++;
    forward({ inbound: stream, headers, session: backend.session!, backend: backend.address }, (code, identity) => {
      if (code !== status.OK) counts.errors++;
      const ms = performance.now() - started;
      if (tracks) upstream.callEnded(backend, code, ms);
      if (identity) this.identities.set(backend.address, identity);
      this.observer?.({ backend: identity ?? this.identities.get(backend.address) ?? backend.address, code, micros: ms * 1000 });
    });
  }
}

export type { RouterFault };
