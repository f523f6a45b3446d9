// Per-backend accounting: calls, errors by status, extra attempts and latency (HDR histograms in
// microseconds), for the current time bucket and for the whole run.
import { status } from '@grpc/grpc-js';
import { build, type Histogram } from 'hdr-histogram-js';
import type { BucketStats } from '../events.js';

const STATUS_NAMES: Record<number, string> = Object.fromEntries(Object.entries(status).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v, k]));
export const statusName = (code: number) => STATUS_NAMES[code] ?? String(code);

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
    this.latency.recordValue(Math.max(1, Math.round(micros)));
  }

  snapshot(): BucketStats {
    const ms = (us: number) => Math.round(us / 10) / 100;
    return {
      calls: this.calls,
      ok: this.ok,
      errors: { ...this.errors },
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

/** Folds every finished call into the current bucket and the run's totals. */
export class CallStats {
  private readonly bucket = new Map<string, Accumulator>();
  private readonly bucketTotal = new Accumulator();
  private readonly run = new Map<string, Accumulator>();
  private readonly runTotal = new Accumulator();
  /** Attempts (picks) per backend address over the run: what each server saw. */
  readonly attemptsByAddress = new Map<string, number>();

  record(backend: string, code: number, micros: number, attempts: number): void {
    let b = this.bucket.get(backend);
    if (!b) this.bucket.set(backend, (b = new Accumulator()));
    b.record(code, micros, attempts);
    this.bucketTotal.record(code, micros, attempts);
    let r = this.run.get(backend);
    if (!r) this.run.set(backend, (r = new Accumulator()));
    r.record(code, micros, attempts);
    this.runTotal.record(code, micros, attempts);
  }

  attempt(address: string): void {
    this.attemptsByAddress.set(address, (this.attemptsByAddress.get(address) ?? 0) + 1);
  }

  /** The current bucket's stats; starts a new bucket. Backends seen before but idle now report 0. */
  flush(): { total: BucketStats; backends: Record<string, BucketStats> } {
    const backends: Record<string, BucketStats> = {};
    for (const name of this.run.keys()) backends[name] = this.bucket.get(name)?.snapshot() ?? new Accumulator().snapshot();
    const total = this.bucketTotal.snapshot();
    for (const a of this.bucket.values()) a.reset();
    this.bucketTotal.reset();
    return { total, backends };
  }

  totals(): { total: BucketStats; backends: Record<string, BucketStats> } {
    const backends: Record<string, BucketStats> = {};
    for (const [name, a] of this.run) backends[name] = a.snapshot();
    return { total: this.runTotal.snapshot(), backends };
  }
}
