// The lab's gRPC router (seed 003): an HTTP/2 proxy that reads only the headers. Each request's
// :path names its gRPC service; a routing table maps the service to an upstream cluster (any target
// the lab can dial: etcd:///echo, consul:///echo, ipv4:a,b) and a balancer (any of the lab's), so
// each request is balanced on its own. Messages are forwarded as opaque bytes — the protobuf body is
// never decoded — in both directions, streaming included; response headers, trailers and status
// pass through; the caller's grpc-timeout becomes the upstream deadline, and a caller that goes away
// cancels the upstream call.
import http2, { type Http2Server, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { Client, credentials, Metadata, status, type ChannelOptions, type ClientDuplexStream, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { serviceConfigFrom, type ServiceConfigJson } from '../traffic/index.js';
import { GrpcFrames, frame } from './frames.js';

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
}

/** Headers that belong to one HTTP/2 hop or to the gRPC framing, not to the call's metadata. */
const HOP = new Set([
  'content-type',
  'te',
  'grpc-timeout',
  'grpc-encoding',
  'grpc-accept-encoding',
  'user-agent',
  'content-length',
  'connection',
  'host',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'grpc-status',
  'grpc-message',
  'date',
]);

/** grpc-timeout: "100m", "5S", "1H" ... (hours, minutes, seconds, milli, micro, nano) → ms. */
export function timeoutMs(value: string | undefined): number | undefined {
  const m = /^(\d{1,8})([HMSmun])$/.exec(value ?? '');
  if (!m) return undefined;
  const n = Number(m[1]);
  return { H: n * 3_600_000, M: n * 60_000, S: n * 1000, m: n, u: n / 1000, n: n / 1e6 }[m[2]]!;
}

function metadataFrom(headers: IncomingHttpHeaders): Metadata {
  const md = new Metadata();
  for (const [k, v] of Object.entries(headers)) {
    if (k.startsWith(':') || HOP.has(k) || v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) {
      if (k.endsWith('-bin')) md.add(k, Buffer.from(one, 'base64'));
      else md.add(k, one);
    }
  }
  return md;
}

function headersFrom(md: Metadata): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(md.getMap())) {
    if (HOP.has(k)) continue;
    const all = md.get(k).map((x) => (Buffer.isBuffer(x) ? x.toString('base64') : String(x)));
    out[k] = all.length === 1 ? all[0] : all;
    void v;
  }
  return out;
}

const identity = (b: Buffer) => b;

/** grpc-message's percent-encoding: bytes outside printable ASCII, and % itself (the gRPC spec). */
export function percentEncode(text: string): string {
  let out = '';
  for (const b of Buffer.from(text, 'utf8'))
    out += b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

export class GrpcRouter {
  private server?: Http2Server;
  private readonly clients = new Map<string, Client>();
  readonly stats: RouterStats = { requests: 0, unrouted: 0, byService: {} };

  constructor(
    private readonly routes: Route[],
    private readonly channelOptions: ChannelOptions = {},
  ) {}

  static route(service: string, target: string, lb: string | object = 'round_robin'): Route {
    return { service, target, serviceConfig: serviceConfigFrom(lb) };
  }

  listen(host: string, port: number): Promise<number> {
    const server = http2.createServer({ settings: { maxConcurrentStreams: 10_000 } });
    server.on('stream', (stream, headers) => this.handle(stream, headers));
    server.on('sessionError', () => undefined);
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port }, () => resolve((server.address() as { port: number }).port));
    });
  }

  async close(): Promise<void> {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private clientFor(route: Route): Client {
    let c = this.clients.get(route.service);
    if (!c) {
      c = new Client(route.target, credentials.createInsecure(), { ...this.channelOptions, 'grpc.service_config': JSON.stringify(route.serviceConfig) });
      this.clients.set(route.service, c);
    }
    return c;
  }

  private handle(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    stream.on('error', () => undefined);
    const path = String(headers[':path'] ?? '');
    const service = /^\/([^/]+)\/[^/]+$/.exec(path)?.[1];
    const route = service ? (this.routes.find((r) => r.service === service) ?? this.routes.find((r) => r.service === '*')) : undefined;
    this.stats.requests++;
    if (!route || !service || !String(headers['content-type'] ?? '').startsWith('application/grpc')) {
      this.stats.unrouted++;
      return this.trailersOnly(stream, status.UNIMPLEMENTED, service ? `the router has no route for ${service}` : `not a gRPC path: ${path}`);
    }
    this.stats.byService[service] = (this.stats.byService[service] ?? 0) + 1;
    const timeout = timeoutMs(headers['grpc-timeout'] as string | undefined);
    const call: ClientDuplexStream<Buffer, Buffer> = this.clientFor(route).makeBidiStreamRequest(
      path,
      identity,
      identity,
      metadataFrom(headers),
      timeout === undefined ? {} : { deadline: Date.now() + timeout },
    );
    let responded = false;
    let finished = false;
    const respond = (md?: Metadata) => {
      if (responded || stream.destroyed) return;
      responded = true;
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', ...(md ? headersFrom(md) : {}) }, { waitForTrailers: true });
    };
    call.on('metadata', (md: Metadata) => respond(md));
    call.on('data', (msg: Buffer) => {
      respond();
      if (!stream.destroyed) stream.write(frame(msg));
    });
    call.on('error', () => undefined); // the status event carries it
    call.on('status', (st: StatusObject) => {
      if (finished) return;
      finished = true;
      if (stream.destroyed) return;
      const trailers = { 'grpc-status': String(st.code), ...(st.details ? { 'grpc-message': percentEncode(st.details) } : {}), ...headersFrom(st.metadata) };
      if (!responded) {
        // Nothing was sent yet: one header block carries the status (trailers-only).
        responded = true;
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', ...trailers }, { endStream: true });
        return;
      }
      stream.once('wantTrailers', () => stream.sendTrailers(trailers));
      stream.end();
    });
    // Caller → upstream: gRPC frames in, messages out (compressed ones are refused: the router
    // would have to decode them).
    const frames = new GrpcFrames();
    stream.on('data', (chunk: Buffer) => {
      for (const m of frames.push(chunk)) {
        if (m.compressed) {
          finished = true;
          call.cancel();
          if (!responded) this.trailersOnly(stream, status.UNIMPLEMENTED, 'the router does not forward compressed messages');
          else stream.close(http2.constants.NGHTTP2_CANCEL);
          return;
        }
        call.write(m.message);
      }
    });
    stream.on('end', () => call.end());
    stream.on('close', () => {
      if (!finished) call.cancel(); // the caller went away (cancelled, or its deadline passed)
    });
  }

  private trailersOnly(stream: ServerHttp2Stream, code: status, message: string): void {
    if (stream.destroyed) return;
    stream.respond(
      { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(code), 'grpc-message': percentEncode(message) },
      { endStream: true },
    );
    stream.resume();
  }
}

export type { ServiceError };
