// One traffic client: a grpc-js channel through the chosen resolver and balancer, driven at a fixed
// rate or a fixed concurrency, with every call accounted to the backend that served it. Works
// against any gRPC server speaking grpc.examples.echo.Echo, not only the lab's.
import { EventEmitter } from 'node:events';
import { Metadata, status, type ChannelOptions, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { echoClient, type EchoClient } from '../../grpc/index.js';
import { BACKEND_HEADER, CALL_ID_HEADER, CLIENT_HEADER } from '../../wire/index.js';
import { observed } from '../balancers/observe.js';
import type { TrafficEvent, TrafficEventBody } from '../events.js';
import { CLIENT_ID_OPTION, registerSink, type ClientSink } from '../sink.js';
import type { ServiceConfigJson } from './service-config.js';
import { CallStats, type StatsView } from './stats.js';
import { isXdsTarget, registerXdsClient } from '../xds.js';

export type CallKind = 'unary' | 'server-stream' | 'client-stream' | 'bidi';

/** A client's whole run (what `lab traffic` prints at the end). */
export interface ClientSummary {
  totals: StatsView;
  elapsedMs: number;
  skipped: number;
  attempts: Record<string, number>;
  /** CPU the client's process used, when it ran in a process of its own (an agent). */
  cpuMs?: number;
}

export interface TrafficClientSpec {
  name: string;
  target: string;
  serviceConfig: ServiceConfigJson;
  /** Calls per second (open loop). Either rate or concurrency; concurrency 1 when neither. */
  rate?: number;
  /** Calls in flight at all times (closed loop). */
  concurrency?: number;
  call?: CallKind;
  /**
   * A method of a server the lab did not write (/helloworld.Greeter/SayHello): each call is a unary
   * call of it with an empty message (valid for any proto3 request), instead of the echo's.
   */
  method?: string;
  /** Backends by address, for servers that do not say who they are (a server of yours): its host address -> greeter-2. */
  names?: Record<string, string>;
  deadlineMs?: number;
  message?: string;
  metadata?: Record<string, string>;
  /** Sets `x-lab-key` to one of this many keys, round robin (for ring_hash and friends). */
  hashKeys?: number;
  keepalive?: { timeMs: number; timeoutMs: number };
  /** Each call waits for a READY backend instead of failing at once in TRANSIENT_FAILURE (a call's own option: grpc-js ignores a method config's waitForReady). */
  waitForReady?: boolean;
  channelOptions?: ChannelOptions;
  /** Width of the time buckets events report (default 1000 ms). */
  bucketMs?: number;
  /** Open loop only: calls allowed in flight before new ones are skipped (and counted). */
  maxInFlight?: number;
}

let nextId = 0;

/** A method of a server of yours is called with an empty message, and its answer is not decoded. */
const EMPTY = Buffer.alloc(0);
const passBytes = (b: Buffer) => b;

/** Emits TrafficEvents ('event'); start() begins traffic, stop() ends it and closes the channel. */
export class TrafficClient extends EventEmitter<{ event: [TrafficEvent] }> {
  readonly id = `c${process.pid}-${nextId++}`;
  readonly stats = new CallStats();
  private client?: EchoClient;
  private running = false;
  private startedAt = 0;
  private lastFlush = 0;
  private inFlight = 0;
  private callSeq = 0;
  private skipped = 0;
  private readonly picks = new Map<string, { attempts: number; address: string }>();
  /** Backend identity by address, learnt from answered calls, so failed calls count under it too. */
  private readonly identity = new Map<string, string>();
  private timers: NodeJS.Timeout[] = [];
  private unregister?: () => void;
  private idle?: () => void;

  constructor(readonly spec: TrafficClientSpec) {
    super();
    for (const [address, name] of Object.entries(spec.names ?? {})) this.identity.set(address, name);
  }

  get elapsedMs(): number {
    return this.startedAt ? performance.now() - this.startedAt : 0;
  }

  get skippedCalls(): number {
    return this.skipped;
  }

  /** The whole run so far: totals per backend, time, calls skipped, attempts per address. */
  summary(): ClientSummary {
    return {
      totals: this.stats.totals(),
      elapsedMs: Math.round(this.elapsedMs),
      skipped: this.skipped,
      attempts: Object.fromEntries(this.stats.attemptsByAddress),
    };
  }

  /** Emits the current bucket, as wide as the time since the last one (the final one is shorter). */
  private flushBucket(): void {
    const now = performance.now();
    const widthMs = Math.max(1, Math.round(now - this.lastFlush));
    this.lastFlush = now;
    this.emitEvent({ type: 'bucket', widthMs, ...this.stats.flush() });
  }

  private emitEvent(e: TrafficEventBody): void {
    this.emit('event', { ...e, client: this.spec.name, t: Math.round(this.elapsedMs) } as TrafficEvent);
  }

  /** Creates the channel (throws on a target or config grpc-js refuses) and starts the load. */
  start(): void {
    if (this.running) return;
    try {
      this.begin();
    } catch (err) {
      // A channel grpc-js refuses, or a first call it refuses: nothing of this client stays behind.
      this.running = false;
      for (const t of this.timers) clearInterval(t);
      this.timers = [];
      this.client?.close();
      this.client = undefined;
      this.unregister?.();
      throw err;
    }
  }

  private begin(): void {
    const spec = this.spec;
    const sink: ClientSink = {
      report: (e) => this.emitEvent(e),
      picked: (callId, address) => {
        const p = this.picks.get(callId);
        if (p) {
          p.attempts++;
          p.address = address;
        }
        this.stats.attempt(address);
      },
    };
    this.unregister = registerSink(this.id, sink);
    const serviceConfig = { ...spec.serviceConfig, loadBalancingConfig: observed(this.id, spec.serviceConfig.loadBalancingConfig ?? [{ pick_first: {} }]) };
    const options: ChannelOptions = {
      ...spec.channelOptions,
      [CLIENT_ID_OPTION]: this.id,
      'grpc.service_config': JSON.stringify(serviceConfig),
      // Each client gets its own connections, as separate processes would.
      'grpc.use_local_subchannel_pool': 1,
      ...(spec.keepalive
        ? { 'grpc.keepalive_time_ms': spec.keepalive.timeMs, 'grpc.keepalive_timeout_ms': spec.keepalive.timeoutMs, 'grpc.keepalive_permit_without_calls': 1 }
        : {}),
    };
    if (isXdsTarget(spec.target)) registerXdsClient();
    this.client = echoClient(spec.target, options);
    this.running = true;
    this.startedAt = performance.now();
    this.emitEvent({ type: 'client-started', target: spec.target, serviceConfig: spec.serviceConfig });

    this.lastFlush = this.startedAt;
    this.timers.push(setInterval(() => this.flushBucket(), spec.bucketMs ?? 1000));
    if (spec.rate) this.openLoop(spec.rate);
    else for (let i = 0; i < (spec.concurrency ?? 1); i++) this.closedLoop();
  }

  /** Fixed concurrency: each worker issues its next call when the previous one ends. */
  private closedLoop(): void {
    if (!this.running) return;
    this.issue(() => this.closedLoop());
  }

  /** Fixed rate: every tick, issue the calls that are due (catching up after a slow tick). */
  private openLoop(rate: number): void {
    const maxInFlight = this.spec.maxInFlight ?? 10_000;
    let issued = 0;
    const t0 = performance.now();
    const tick = () => {
      const due = Math.floor(((performance.now() - t0) / 1000) * rate) - issued;
      for (let i = 0; i < due; i++) {
        issued++;
        if (this.inFlight >= maxInFlight) this.skipped++;
        else this.issue();
      }
    };
    this.timers.push(setInterval(tick, Math.max(1, Math.min(10, 1000 / rate))));
  }

  private issue(then?: () => void): void {
    const client = this.client!;
    const spec = this.spec;
    const callId = String(this.callSeq++);
    const md = new Metadata(spec.waitForReady ? { waitForReady: true } : undefined);
    md.set(CALL_ID_HEADER, callId);
    // Who the servers count this call for (server-side accounting, `lab watch --observe`).
    md.set(CLIENT_HEADER, spec.name);
    for (const [k, v] of Object.entries(spec.metadata ?? {})) md.set(k, v);
    if (spec.hashKeys) md.set('x-lab-key', `key-${Number(callId) % spec.hashKeys}`);
    const entry = { attempts: 0, address: '' };
    this.picks.set(callId, entry);
    this.inFlight++;
    const t0 = performance.now();
    let backend = '';
    const onMetadata = (m: Metadata) => {
      const id = m.get(BACKEND_HEADER)[0];
      if (id !== undefined) backend = String(id);
    };
    let done = false;
    const finish = (code: number, peer?: string) => {
      if (done) return;
      done = true;
      this.inFlight--;
      this.picks.delete(callId);
      if (backend && entry.address) this.identity.set(entry.address, backend);
      const who = backend || this.identity.get(entry.address) || entry.address || peer || '(none)';
      this.stats.record(who, code, (performance.now() - t0) * 1000, entry.attempts);
      if (this.inFlight === 0) this.idle?.();
      then?.();
    };
    const options = { deadline: Date.now() + (spec.deadlineMs ?? 1000) };
    const message = { message: spec.message ?? 'hello' };
    // A failed call's identity comes in its trailers (the echo servers send no headers then).
    const onEnd = (err: ServiceError | null) => {
      if (err?.metadata && !backend) onMetadata(err.metadata);
      finish(err ? err.code : status.OK);
    };
    // A streaming call's replies are read and dropped; its end is its status (with the identity when no header came).
    const readToEnd = <S extends EventEmitter>(call: S): S => {
      call.on('metadata', onMetadata);
      call.on('data', () => undefined);
      call.on('status', (s: StatusObject) => {
        if (!backend) onMetadata(s.metadata);
        finish(s.code);
      });
      call.on('error', () => undefined);
      return call;
    };
    if (spec.method) {
      const call = client.makeUnaryRequest(spec.method, passBytes, passBytes, EMPTY, md, options, onEnd);
      call.on('metadata', onMetadata);
      return;
    }
    switch (spec.call ?? 'unary') {
      case 'unary': {
        const call = client.UnaryEcho(message, md, options, onEnd);
        call.on('metadata', onMetadata);
        break;
      }
      case 'server-stream': {
        readToEnd(client.ServerStreamingEcho(message, md, options));
        break;
      }
      case 'client-stream': {
        const call = client.ClientStreamingEcho(md, options, onEnd);
        call.on('metadata', onMetadata);
        for (let i = 0; i < 3; i++) call.write(message);
        call.end();
        break;
      }
      case 'bidi': {
        const call = readToEnd(client.BidirectionalStreamingEcho(md, options));
        for (let i = 0; i < 3; i++) call.write(message);
        call.end();
        break;
      }
    }
  }

  /** Stops issuing calls, waits (up to graceMs) for those in flight, emits the last bucket, closes. */
  async stop(graceMs = 2000): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        this.idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.flushBucket();
    // An xDS client reports its load once per LRS interval: one more interval before the channel
    // closes, so the control plane's totals hold every call (closing ends the report stream).
    if (isXdsTarget(this.spec.target) && this.callSeq > 0) await new Promise((r) => setTimeout(r, LRS_FLUSH_MS));
    this.client?.close();
    this.unregister?.();
    this.emitEvent({ type: 'client-stopped' });
  }
}

/** One LRS interval of the lab's control plane (1 s), and a little more. */
const LRS_FLUSH_MS = 1200;
