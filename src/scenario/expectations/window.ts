// A window of a client's stats: the buckets ending in (end - width, end], merged. Calls, errors and
// attempts add up exactly; latency percentiles of a window are bounded from the buckets' own
// (p50: the calls-weighted mean of bucket p50s; p99 and max: the largest bucket value).
import type { BucketStats } from '../../traffic/events.js';

export interface Bucket {
  t: number;
  total: BucketStats;
  backends: Record<string, BucketStats>;
}

export interface WindowStats {
  end: number;
  total: BucketStats;
  backends: Record<string, BucketStats>;
}

const empty = (): BucketStats => ({ calls: 0, ok: 0, errors: {}, extraAttempts: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 });

function merge(into: BucketStats, b: BucketStats): void {
  const before = into.calls;
  into.calls += b.calls;
  into.ok += b.ok;
  into.extraAttempts += b.extraAttempts;
  for (const [k, v] of Object.entries(b.errors)) into.errors[k] = (into.errors[k] ?? 0) + v;
  if (b.calls) into.p50Ms = (into.p50Ms * before + b.p50Ms * b.calls) / into.calls;
  into.p99Ms = Math.max(into.p99Ms, b.p99Ms);
  into.maxMs = Math.max(into.maxMs, b.maxMs);
}

export function windowAt(buckets: Bucket[], end: number, width: number): WindowStats {
  const w: WindowStats = { end, total: empty(), backends: {} };
  for (const b of buckets) {
    if (b.t <= end - width || b.t > end) continue;
    merge(w.total, b.total);
    for (const [name, s] of Object.entries(b.backends)) merge((w.backends[name] ??= empty()), s);
  }
  return w;
}
