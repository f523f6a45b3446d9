// Traffic seen from the servers' side: polls each echo server's GetServed (its cumulative counts per
// client identity) once per bucket, takes the difference since the last poll, and emits the same
// bucket events the driver emits, so the view, expectations, time to rebalance and reports work
// unchanged for a client the lab does not drive (a grpc-go service, a Python job). Exact: the first
// poll of a server is the baseline (asked again, longer, when it does not answer in time); a server
// first heard from later counts from zero when it started after the watcher (its uptime says so),
// else that first report is its baseline; a restarted server (a new incarnation) counts from zero
// again; and stop() polls once more before the last bucket.
import { decodeFromCompressedBase64 } from 'hdr-histogram-js/dist/encoding.js';
import type { Histogram } from 'hdr-histogram-js';
import { EchoControl } from '../../grpc/index.js';
import type { ServedReport__Output } from '../../grpc/generated/lab/control/v1/ServedReport.js';
import type { TrafficEvent } from '../events.js';
import { CallStats } from '../driver/stats.js';

export interface ServedSource {
  /** The backend's name in buckets (echo-2). */
  name: string;
  /** Its control address (the echo's direct port, not through the link proxy). */
  controlAddress: string;
}

export interface ServedWatcherOptions {
  /** The echo servers now (asked at every poll: scaling adds and removes them). */
  sources: () => ServedSource[];
  /** The client a server-side identity is shown as (undefined: not shown). */
  clientOf: (identity: string) => string | undefined;
  /** Clients that get a bucket every interval even before any call of theirs was seen. */
  clients?: string[];
  bucketMs?: number;
  now: () => number;
  onEvent: (e: TrafficEvent) => void;
}

interface Seen {
  incarnation: string;
  calls: number;
  ok: number;
  errors: Record<string, number>;
  latency: Histogram;
}

const POLL_DEADLINE_MS = 200;
/** The last poll waits longer, and for a reconnect: a server restarted late in the run still counts. */
const FINAL_DEADLINE_MS = 1500;
/** A server back from a restart is polled again soon (grpc-js's default first backoff is a second). */
const CONTROL_OPTIONS = { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 1000 };
const n = (v: string | number | undefined) => Number(v ?? 0);

export class ServedWatcher {
  private readonly controls = new Map<string, EchoControl>();
  /** Per backend, per identity: the cumulative counts of the last poll. */
  private readonly last = new Map<string, Map<string, Seen>>();
  private readonly incarnations = new Map<string, string>();
  private readonly stats = new Map<string, CallStats>();
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private lastEmit = 0;

  private startedAt = 0;

  constructor(private readonly opts: ServedWatcherOptions) {
    for (const c of opts.clients ?? []) this.stats.set(c, new CallStats());
  }

  /** Takes the baseline (what the servers served before now is not counted), then polls every bucket. */
  async start(): Promise<void> {
    this.startedAt = performance.now();
    await this.poll(true);
    // A server that did not answer in time (a loaded machine) is asked once more, longer: without its
    // baseline, what it served before the start would be counted.
    const missing = this.opts.sources().filter((s) => !this.incarnations.has(s.name));
    if (missing.length) await this.poll(true, true, new Set(missing.map((s) => s.name)));
    this.lastEmit = this.opts.now();
    this.timer = setInterval(() => this.tick(), this.opts.bucketMs ?? 250);
  }

  /** One last poll and bucket, then closes the control channels. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.polling;
    await this.poll(false, true);
    this.emit();
    for (const c of this.controls.values()) c.close();
    this.controls.clear();
  }

  /** On the interval's beat (so buckets are as regular as the driver's): emit what the last poll brought, then poll again. */
  private tick(): void {
    this.emit();
    if (this.polling) return; // a slow server must not pile polls up
    this.polling = this.poll(false).finally(() => (this.polling = undefined));
  }

  private async poll(baseline: boolean, final = false, only?: Set<string>): Promise<void> {
    const sources = this.opts.sources().filter((s) => !only || only.has(s.name));
    const wanted = new Set(sources.map((s) => s.name));
    for (const [name, c] of this.controls)
      if (!only && !wanted.has(name)) {
        c.close();
        this.controls.delete(name);
      }
    await Promise.all(
      sources.map(async (s) => {
        let c = this.controls.get(s.name);
        if (!c || c.address !== s.controlAddress) {
          c?.close();
          this.controls.set(s.name, (c = new EchoControl(s.controlAddress, CONTROL_OPTIONS)));
        }
        // A killed or frozen server answers nothing: its counts wait for the next poll that reaches it.
        const report = await c.getServed(final ? FINAL_DEADLINE_MS : POLL_DEADLINE_MS, final).catch(() => undefined);
        if (report) this.take(s.name, report, baseline);
      }),
    );
  }

  private take(backend: string, report: ServedReport__Output, asked: boolean): void {
    // A server first heard from after the start: one younger than the watcher started since and counts
    // from zero; an older one ran before the start (it did not answer in time), and this is its baseline.
    // Only a server born within one poll's round trip of the start cannot be told: it counts from zero.
    const baseline = asked || (!this.incarnations.has(backend) && n(report.uptimeMs) > performance.now() - this.startedAt);
    const fresh = this.incarnations.get(backend) !== report.incarnation;
    this.incarnations.set(backend, report.incarnation);
    let seen = this.last.get(backend);
    if (!seen || fresh) this.last.set(backend, (seen = new Map()));
    for (const c of report.clients) {
      const now: Seen = {
        incarnation: report.incarnation,
        calls: n(c.calls),
        ok: n(c.ok),
        errors: Object.fromEntries(Object.entries(c.errors).map(([k, v]) => [k, n(v)])),
        latency: decodeFromCompressedBase64(c.latency),
      };
      const before = seen.get(c.client);
      seen.set(c.client, now);
      // The first report of a server that ran before the watcher started is the baseline.
      if (baseline) continue;
      // Only identities with new calls are shown: one that called before the watcher started and is gone gets no row.
      const calls = now.calls - (before?.calls ?? 0);
      if (calls <= 0) continue;
      const client = this.opts.clientOf(c.client);
      if (client === undefined) continue;
      const delta = before ? decodeFromCompressedBase64(c.latency) : now.latency;
      if (before) delta.subtract(before.latency);
      const errors: Record<string, number> = {};
      for (const [k, v] of Object.entries(now.errors)) errors[k] = v - (before?.errors[k] ?? 0);
      this.statsOf(client).recordServed(backend, { calls, ok: now.ok - (before?.ok ?? 0), errors, latency: delta });
    }
  }

  private statsOf(client: string): CallStats {
    let s = this.stats.get(client);
    if (!s) this.stats.set(client, (s = new CallStats()));
    return s;
  }

  private emit(): void {
    const t = this.opts.now();
    const widthMs = Math.max(1, t - this.lastEmit);
    this.lastEmit = t;
    for (const [client, s] of this.stats) this.opts.onEvent({ type: 'bucket', client, t, widthMs, ...s.flush() });
  }
}
