// A window of a client's stats: the buckets ending in (end - width, end], merged. Calls, errors and
// attempts add up exactly; latency percentiles of a window are bounded from the buckets' own
// (p50: the calls-weighted mean of bucket p50s; p99 and max: the largest bucket value).
import { type BucketStats } from '../../traffic/index.js';

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

/** Several stats as one (the rules above). */
export function sumStats(xs: Iterable<BucketStats>): BucketStats {
  const out = empty();
  for (const b of xs) merge(out, b);
  return out;
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

/**
 * Long runs keep their whole series (the report and the verdict read it), so old buckets are
 * merged into whole seconds: from `start` on, every second that ends at or before `cutoff` becomes
 * one bucket ending at its last bucket's time, with exact counts. Returns where the next call may
 * start (everything before it is already merged).
 */
export function compactSeries(series: Bucket[], start: number, cutoff: number): number {
  const out: Bucket[] = [];
  let i = start;
  while (i < series.length && series[i].t <= cutoff) {
    const second = Math.ceil(series[i].t / 1000);
    let j = i;
    while (j < series.length && Math.ceil(series[j].t / 1000) === second) j++;
    // Only whole seconds: the next bucket must already be in a later second, and within the cutoff.
    if (j >= series.length || series[j - 1].t > cutoff) break;
    const group = series.slice(i, j);
    const backends: Record<string, BucketStats> = {};
    for (const name of new Set(group.flatMap((b) => Object.keys(b.backends))))
      backends[name] = sumStats(group.map((b) => b.backends[name]).filter((x): x is BucketStats => !!x));
    out.push(group.length === 1 ? group[0] : { t: group[group.length - 1].t, total: sumStats(group.map((b) => b.total)), backends });
    i = j;
  }
  series.splice(start, i - start, ...out);
  return start + out.length;
}
