// The lab's xDS interop test client, as grpc's xDS test cases expect one (grpc/grpc
// doc/xds-test-descriptions.md): it sends a constant rate of UnaryCall and/or EmptyCall on each of
// its channels, credits a call to the backend whose `hostname` response header it got (a call that
// failed, or that came back without one, is a failure), and keeps what LoadBalancerStatsService
// answers: the next N calls sent after a request, and everything since the start per method and
// status. XdsUpdateClientConfigureService changes what it sends (stats-server.ts serves both).
import { credentials, Metadata, status, type ChannelOptions, type ServiceError } from '@grpc/grpc-js';
import { testingProtos } from '../grpc/index.js';
import type { TestServiceClient } from '../grpc/generated/grpc/testing/TestService.js';
import type { LoadBalancerStatsResponse } from '../grpc/generated/grpc/testing/LoadBalancerStatsResponse.js';
import type { LoadBalancerAccumulatedStatsResponse } from '../grpc/generated/grpc/testing/LoadBalancerAccumulatedStatsResponse.js';

export type RpcType = 'EmptyCall' | 'UnaryCall';
/** The names LoadBalancerAccumulatedStats and ClientConfigureRequest use. */
export const RPC_ENUM: Record<RpcType, 'EMPTY_CALL' | 'UNARY_CALL'> = { EmptyCall: 'EMPTY_CALL', UnaryCall: 'UNARY_CALL' };

export interface TestClientOptions {
  /** The target: xds:///echo (or any target grpc-js dials). */
  server: string;
  qps: number;
  numChannels: number;
  rpcs: RpcType[];
  /** Per type, the metadata its calls carry. */
  metadata: Array<{ type: RpcType; key: string; value: string }>;
  rpcTimeoutSec: number;
  channelOptions?: ChannelOptions;
  /** A call failed after one had succeeded (grpc's --fail_on_failed_rpcs). */
  onFailedAfterSuccess?: (err: ServiceError) => void;
}

/** The next `goal` calls sent after a stats request: who answered each, or that it failed. */
class Subscriber {
  started = 0;
  finished = 0;
  readonly byPeer: Record<string, number> = {};
  readonly byMethod: Record<string, { rpcs_by_peer: Record<string, number> }> = {};
  succeeded = 0;
  constructor(
    readonly goal: number,
    private readonly done: () => void,
  ) {}
  ended(type: RpcType, peer?: string): void {
    this.finished++;
    if (peer) {
      this.succeeded++;
      this.byPeer[peer] = (this.byPeer[peer] ?? 0) + 1;
      const m = (this.byMethod[type] ??= { rpcs_by_peer: {} });
      m.rpcs_by_peer[peer] = (m.rpcs_by_peer[peer] ?? 0) + 1;
    }
    if (this.finished >= this.goal) this.done();
  }
  result(): LoadBalancerStatsResponse {
    return { rpcs_by_peer: this.byPeer, num_failures: this.started - this.succeeded, rpcs_by_method: this.byMethod };
  }
}

export class XdsTestClient {
  private readonly channels: TestServiceClient[];
  private readonly timers: NodeJS.Timeout[] = [];
  private subscribers: Subscriber[] = [];
  private anySucceeded = false;
  /** What Configure set: the types sent, their metadata, the deadline. */
  private config: { types: RpcType[]; metadata: Record<RpcType, Metadata>; timeoutSec: number };
  private readonly accumulated = {
    started: { EMPTY_CALL: 0, UNARY_CALL: 0 },
    /** Per method, calls ended by status code (the succeeded and failed counts are read from these). */
    results: { EMPTY_CALL: {} as Record<number, number>, UNARY_CALL: {} as Record<number, number> },
  };

  constructor(private readonly opts: TestClientOptions) {
    const Client = testingProtos().grpc.testing.TestService;
    this.channels = Array.from(
      { length: Math.max(1, opts.numChannels) },
      // Each its own channel (its own subchannels), as grpc's --num_channels.
      () => new Client(opts.server, credentials.createInsecure(), { ...opts.channelOptions, 'grpc.use_local_subchannel_pool': 1 }),
    );
    this.config = { types: opts.rpcs, metadata: metadataOf(opts.metadata), timeoutSec: opts.rpcTimeoutSec };
  }

  /** Starts sending: qps calls a second on every channel, each of the configured types. */
  start(): void {
    const every = 1000 / Math.max(1, this.opts.qps);
    this.channels.forEach((channel, i) => {
      let due = performance.now();
      const tick = () => {
        // Keeps the rate even when a timer fires late: as many calls as have come due.
        const now = performance.now();
        while (due <= now) {
          for (const type of this.config.types) this.send(channel, type);
          due += every;
        }
        this.timers[i] = setTimeout(tick, Math.max(0, due - performance.now()));
      };
      tick();
    });
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.length = 0;
    for (const c of this.channels) c.close();
  }

  /** XdsUpdateClientConfigureService.Configure. */
  configure(types: RpcType[], metadata: TestClientOptions['metadata'], timeoutSec: number): void {
    this.config = { types, metadata: metadataOf(metadata), timeoutSec: timeoutSec > 0 ? timeoutSec : this.opts.rpcTimeoutSec };
  }

  /** GetClientStats: the next `numRpcs` calls sent from now, or what came of them within `timeoutSec`. */
  statsOfNext(numRpcs: number, timeoutSec: number): Promise<LoadBalancerStatsResponse> {
    return new Promise((resolve) => {
      let over = false;
      const finish = () => {
        if (over) return;
        over = true;
        clearTimeout(timer);
        this.subscribers = this.subscribers.filter((s) => s !== sub);
        resolve(sub.result());
      };
      const sub = new Subscriber(numRpcs, finish);
      const timer = setTimeout(finish, Math.max(0, timeoutSec) * 1000);
      if (numRpcs <= 0) return finish();
      this.subscribers.push(sub);
    });
  }

  /** GetClientAccumulatedStats: every call since the start, per method and status. */
  accumulatedStats(): LoadBalancerAccumulatedStatsResponse {
    const a = this.accumulated;
    const ok = (kind: keyof typeof a.results) => a.results[kind][status.OK] ?? 0;
    const ended = (kind: keyof typeof a.results) => Object.values(a.results[kind]).reduce((n, k) => n + k, 0);
    return {
      num_rpcs_started_by_method: { ...a.started },
      num_rpcs_succeeded_by_method: { EMPTY_CALL: ok('EMPTY_CALL'), UNARY_CALL: ok('UNARY_CALL') },
      num_rpcs_failed_by_method: { EMPTY_CALL: ended('EMPTY_CALL') - ok('EMPTY_CALL'), UNARY_CALL: ended('UNARY_CALL') - ok('UNARY_CALL') },
      stats_per_method: {
        EMPTY_CALL: { rpcs_started: a.started.EMPTY_CALL, result: { ...a.results.EMPTY_CALL } },
        UNARY_CALL: { rpcs_started: a.started.UNARY_CALL, result: { ...a.results.UNARY_CALL } },
      },
    };
  }

  private send(channel: TestServiceClient, type: RpcType): void {
    const kind = RPC_ENUM[type];
    this.accumulated.started[kind]++;
    // The calls a stats request waits for are the next ones *sent*: each takes its place now.
    const watching = this.subscribers.filter((s) => s.started < s.goal);
    for (const s of watching) s.started++;
    let hostname: string | undefined;
    const deadline = Date.now() + this.config.timeoutSec * 1000;
    const md = this.config.metadata[type].clone();
    const done = (err: ServiceError | null) => {
      const code = err ? err.code : status.OK;
      const r = this.accumulated.results[kind];
      r[code] = (r[code] ?? 0) + 1;
      if (!err) this.anySucceeded = true;
      else if (this.anySucceeded) this.opts.onFailedAfterSuccess?.(err);
      // Credited only with a hostname: a success without one is a failure, as grpc's clients count it.
      for (const s of watching) s.ended(type, err ? undefined : hostname);
    };
    const call =
      type === 'UnaryCall'
        ? channel.UnaryCall({ fill_server_id: true }, md, { deadline }, (err) => done(err))
        : channel.EmptyCall({}, md, { deadline }, (err) => done(err));
    call.on('metadata', (h: Metadata) => {
      const v = h.get('hostname')[0];
      if (typeof v === 'string') hostname = v;
    });
  }
}

function metadataOf(entries: TestClientOptions['metadata']): Record<RpcType, Metadata> {
  const out: Record<RpcType, Metadata> = { EmptyCall: new Metadata(), UnaryCall: new Metadata() };
  for (const e of entries) out[e.type].add(e.key, e.value);
  return out;
}
