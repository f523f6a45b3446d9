// Per-backend accounting: calls, errors by status, extra attempts and latency (HDR histograms in
// microseconds). A finished call is recorded once, into its backend's current bucket; buckets are
// folded into the run's totals when flushed (once a second), which keeps the per-call cost low.
import { status } from '@grpc/grpc-js';
// The builder alone: the package's index also loads its log writer, which builds an Intl.NumberFormat
// as it loads (~12 ms of every command's start).
import { build } from 'hdr-histogram-js/dist/HistogramBuilder.js';
import type { Histogram } from 'hdr-histogram-js';
import type { BucketStats } from '../events.js';
import { statusName } from '../../wire/index.js';

export { statusName };

const histogram = (): Histogram => build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 2 });

class Accumulator {
  calls = 0;
  ok = 0;
  extraAttempts = 0;
  errors: Record<string, number> = {};
  readonly latency = histogram();

  record(code: number, micros: number, attempts: number): void {
    this.calls++;
    if (code === status.OK) this.ok++;
    else {
      const name = statusName(code);
      this.errors[name] = (this.errors[name] ?? 0) + 1;
    }
    if (attempts > 1) this.extraAttempts += attempts - 1;
    this.latency.recordValue(micros < 1 ? 1 : Math.round(micros));
  }

  add(other: Accumulator): void {
    this.calls += other.calls;
    this.ok += other.ok;
    this.extraAttempts += other.extraAttempts;
    for (const [k, v] of Object.entries(other.errors)) this.errors[k] = (this.errors[k] ?? 0) + v;
    if (other.calls) this.latency.add(other.latency);
  }

  snapshot(): BucketStats {
    const ms = (us: number) => Math.round(us / 10) / 100;
    return {
      calls: this.calls,
      ok: this.ok,
      // Most buckets have no errors: they share one frozen empty map (a long run keeps them all).
      errors: hasKeys(this.errors) ? { ...this.errors } : NO_ERRORS,
      extraAttempts: this.extraAttempts,
      p50Ms: this.calls ? ms(this.latency.getValueAtPercentile(50)) : 0,
      p99Ms: this.calls ? ms(this.latency.getValueAtPercentile(99)) : 0,
      maxMs: this.calls ? ms(this.latency.maxValue) : 0,
    };
  }

  reset(): void {
    this.calls = 0;
    this.ok = 0;
    this.extraAttempts = 0;
    this.errors = {};
    this.latency.reset();
  }
}

/** What a server served one client in an interval: counts, and its served times (µs). */
export interface ServedCounts {
  calls: number;
  ok: number;
  errors: Record<string, number>;
  latency: Histogram;
}

export interface StatsView {
  total: BucketStats;
  backends: Record<string, BucketStats>;
}

const NO_ERRORS: Record<string, number> = Object.freeze({}) as Record<string, number>;
const hasKeys = (o: object) => {
  for (const _ in o) return true;
  return false;
};

export class CallStats {
  private readonly bucket = new Map<string, Accumulator>();
  private readonly run = new Map<string, Accumulator>();
  /** Attempts (picks) per backend address over the run: what each server saw. */
  readonly attemptsByAddress = new Map<string, number>();

  record(backend: string, code: number, micros: number, attempts: number): void {
    let b = this.bucket.get(backend);
    if (!b) this.bucket.set(backend, (b = new Accumulator()));
    b.record(code, micros, attempts);
  }

  /** Calls a server counted (server-side accounting): added to the backend's current bucket. */
  recordServed(backend: string, served: ServedCounts): void {
    let b = this.bucket.get(backend);
    if (!b) this.bucket.set(backend, (b = new Accumulator()));
    b.calls += served.calls;
    b.ok += served.ok;
    for (const [k, v] of Object.entries(served.errors)) if (v) b.errors[k] = (b.errors[k] ?? 0) + v;
    if (served.calls) b.latency.add(served.latency);
  }

  attempt(address: string): void {
    this.attemptsByAddress.set(address, (this.attemptsByAddress.get(address) ?? 0) + 1);
  }

  /** The current bucket's stats (backends seen before but idle now report 0); starts a new bucket. */
  flush(): StatsView {
    const view = this.view(this.bucket, true);
    for (const [name, b] of this.bucket) {
      let r = this.run.get(name);
      if (!r) this.run.set(name, (r = new Accumulator()));
      r.add(b);
      b.reset();
    }
    return view;
  }

  /** The whole run so far, the current bucket included. */
  totals(): StatsView {
    const merged = new Map<string, Accumulator>();
    for (const source of [this.run, this.bucket]) {
      for (const [name, a] of source) {
        let m = merged.get(name);
        if (!m) merged.set(name, (m = new Accumulator()));
        m.add(a);
      }
    }
    return this.view(merged, false);
  }

  private view(accs: Map<string, Accumulator>, includeIdle: boolean): StatsView {
    const backends: Record<string, BucketStats> = {};
    const total = new Accumulator();
    const idle = new Accumulator().snapshot();
    if (includeIdle) for (const name of this.run.keys()) backends[name] = idle;
    for (const [name, a] of accs) {
      backends[name] = a.snapshot();
      total.add(a);
    }
    return { total: total.snapshot(), backends };
  }
}
