// A client's run as the chart's series, on one time axis: each backend's share of the calls (stacked,
// each backend a band, so equal shares are equal bands), calls per second split into those that
// succeeded and those that failed by status code, failed calls per second on their own (log) scale,
// and p50/p99 latency. The SVG chart and the HTML report draw the same series. Pure.
import { byBackendName } from '../../traffic/index.js';
import type { Bucket, ExpectResult, Verdict } from '../../scenario/index.js';

export interface ClientSeries {
  client: string;
  /** Each bucket's end, in seconds since traffic started. */
  t: number[];
  /** Each bucket's start: the end of the one before it (a last, short bucket spans only its own time). */
  t0: number[];
  /** Each bucket's length in seconds (t - t0): calls / this = calls per second. */
  spanS: number[];
  /** The usual bucket's length in seconds. */
  bucketS: number;
  backends: string[];
  /** Per backend: its share of the bucket's finished calls, 0..100; null when the bucket had none. */
  share: Record<string, Array<number | null>>;
  /** Per backend: the bucket's calls on it (what a hover shows beside the share). */
  calls: Record<string, number[]>;
  ok: number[];
  /** Failed calls per bucket, by status code (codes in order of their total, most first). */
  failed: Record<string, number[]>;
  codes: string[];
  /** The fraction of the bucket's finished calls that failed, 0..1 (0 when it had none). */
  failing: number[];
  /** Failed calls per bucket, every code together. */
  failedCalls: number[];
  /** Per backend, its band in the stacked shares: from the backends under it (in name order, the first at the bottom) to its top, 0..100; null when the bucket had no calls. */
  band: Record<string, { lo: Array<number | null>; hi: Array<number | null> }>;
  /** Latency of the bucket's calls in ms; null when it had none. */
  p50: Array<number | null>;
  p99: Array<number | null>;
}

/** The median gap between buckets: their length (the first starts at 0, so it cannot tell). */
function bucketSeconds(buckets: Bucket[]): number {
  const gaps = buckets
    .slice(1)
    .map((b, i) => b.t - buckets[i].t)
    .filter((g) => g > 0)
    .sort((a, b) => a - b);
  return (gaps.length ? gaps[Math.floor(gaps.length / 2)] : (buckets[0]?.t ?? 1000)) / 1000;
}

/** Each bucket's start: the one before it ends there, unless a gap lies between them (then a bucket's length before its end). */
function starts(buckets: Bucket[]): number[] {
  const len = bucketSeconds(buckets);
  return buckets.map((b, i) => {
    const t = b.t / 1000;
    const prev = i > 0 ? buckets[i - 1].t / 1000 : undefined;
    return prev !== undefined && t - prev <= 1.5 * len ? prev : Math.max(0, t - len);
  });
}

export function clientSeries(client: string, buckets: Bucket[]): ClientSeries {
  const backends = [...new Set(buckets.flatMap((b) => Object.keys(b.backends)))].sort(byBackendName);
  const totals = new Map<string, number>();
  for (const b of buckets) for (const [code, n] of Object.entries(b.total.errors)) totals.set(code, (totals.get(code) ?? 0) + n);
  const codes = [...totals]
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([c]) => c);
  const some = (v: number) => (v > 0 ? v : null);
  const share = Object.fromEntries(
    backends.map((name) => [name, buckets.map((b) => (b.total.calls ? (100 * (b.backends[name]?.calls ?? 0)) / b.total.calls : null))]),
  );
  const t0 = starts(buckets);
  const failedCalls = buckets.map((b) => Object.values(b.total.errors).reduce((n, k) => n + k, 0));
  return {
    client,
    t: buckets.map((b) => b.t / 1000),
    t0,
    spanS: t0.map((from, i) => Math.max(0.001, buckets[i].t / 1000 - from)),
    bucketS: bucketSeconds(buckets),
    backends,
    share,
    band: stack(backends, share),
    calls: Object.fromEntries(backends.map((name) => [name, buckets.map((b) => b.backends[name]?.calls ?? 0)])),
    ok: buckets.map((b) => b.total.ok),
    failed: Object.fromEntries(codes.map((code) => [code, buckets.map((b) => b.total.errors[code] ?? 0)])),
    codes,
    failing: buckets.map((b, i) => (failedCalls[i] ? failedCalls[i] / (b.total.ok + failedCalls[i]) : 0)),
    failedCalls,
    p50: buckets.map((b) => (b.total.calls ? some(b.total.p50Ms) : null)),
    p99: buckets.map((b) => (b.total.calls ? some(b.total.p99Ms) : null)),
  };
}

/** The stacked bands: each backend from the sum of those before it (name order) to that sum plus its share. */
function stack(backends: string[], share: Record<string, Array<number | null>>): ClientSeries['band'] {
  const out: ClientSeries['band'] = {};
  const n = backends.length ? share[backends[0]].length : 0;
  const base: Array<number | null> = Array.from({ length: n }, (_, i) => (backends.length && share[backends[0]][i] !== null ? 0 : null));
  for (const b of backends) {
    const lo = [...base];
    const hi = base.map((v, i) => (v === null ? null : v + (share[b][i] ?? 0)));
    out[b] = { lo, hi };
    hi.forEach((v, i) => (base[i] = v));
  }
  return out;
}

/** Where a backend's band is named on the chart: the middle of its longest run of buckets at `minShare` or more. */
export interface BandLabel {
  backend: string;
  /** The run's span and its middle bucket's middle, in seconds since traffic started. */
  from: number;
  to: number;
  at: number;
  /** The middle bucket. */
  i: number;
  /** The band's bottom and top at that bucket (0..100). */
  lo: number;
  hi: number;
}

export function bandLabels(s: ClientSeries, minShare = 12): BandLabel[] {
  const out: BandLabel[] = [];
  for (const b of s.backends) {
    let best: [number, number] | undefined;
    let start = -1;
    s.share[b].forEach((v, i) => {
      const thick = v !== null && v >= minShare;
      if (thick && start < 0) start = i;
      const last = i === s.share[b].length - 1;
      if (start >= 0 && (!thick || last)) {
        const end = thick ? i : i - 1;
        if (!best || end - start > best[1] - best[0]) best = [start, end];
        start = -1;
      }
    });
    if (!best) continue;
    const mid = Math.floor((best[0] + best[1]) / 2);
    out.push({
      backend: b,
      from: s.t0[best[0]],
      to: s.t[best[1]],
      at: (s.t0[mid] + s.t[mid]) / 2,
      i: mid,
      lo: s.band[b].lo[mid]!,
      hi: s.band[b].hi[mid]!,
    });
  }
  return out;
}

/** A step as a chart marks it: an action where it ran, an expectation where it held or failed. */
export interface Marker {
  /** The step's place in the scenario (0-based). */
  index: number;
  /** Seconds since traffic started. */
  at: number;
  /** The short label drawn at the marker ("#3 kill echo-1", "#4 ✓ 0.3s"). */
  label: string;
  /** The step in full, for the legend under the chart. */
  text: string;
  kind: 'action' | 'held' | 'failed' | 'waiting' | 'unjudged';
}

/** The client an expectation is about (older reports have it only as the text's prefix). */
export const clientOf = (e: Pick<ExpectResult, 'text'> & { client?: string }) => e.client ?? e.text.split(':')[0];

/** The markers of one client's panels: every action, and that client's expectations. Numbered as in the scenario. */
export function markersFor(client: string, verdict: Pick<Verdict, 'actions' | 'expectations' | 'cutShortAtMs'>): Marker[] {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
  const out: Marker[] = verdict.actions.map((a) => ({
    index: a.index,
    at: (a.ranAtMs ?? a.atMs) / 1000,
    label: `#${a.index + 1} ${a.short ?? a.text}`,
    text: `#${a.index + 1} at ${s(a.atMs)}: ${a.text}${a.error ? ` (failed: ${a.error})` : ''}`,
    kind: 'action' as const,
  }));
  for (const e of verdict.expectations) {
    if (clientOf(e) !== client) continue;
    const held = e.ok && e.timeToHoldMs !== undefined;
    const unjudged = !e.ok && e.state === 'not-judged';
    // A failure at the moment it was seen; one not judged where the run ended (it had no later moment).
    const at = e.ok ? e.atMs + (e.timeToHoldMs ?? 0) : unjudged ? Math.max(e.atMs, verdict.cutShortAtMs ?? e.atMs) : (e.failedAtMs ?? e.atMs);
    out.push({
      index: e.index,
      at: at / 1000,
      label: `#${e.index + 1} ${e.ok ? `✓${held ? ` ${s(e.timeToHoldMs!)}` : ''}` : unjudged ? '?' : '✗'}`,
      text: `#${e.index + 1} at ${s(e.atMs)}: ${e.text} → ${e.ok ? (held ? `held after ${s(e.timeToHoldMs!)}` : 'held') : unjudged ? `not judged: ${e.saw}` : `FAILED ${e.saw}`}`,
      kind: e.ok ? 'held' : unjudged ? 'unjudged' : 'failed',
    });
  }
  return out.sort((a, b) => a.at - b.at || a.label.localeCompare(b.label));
}

/** Every step of the run, in scenario order, as the list under a chart gives them. */
export function allSteps(verdict: Pick<Verdict, 'actions' | 'expectations'>): Marker[] {
  const clients = [...new Set(verdict.expectations.map(clientOf))];
  const byIndex = new Map<number, Marker>();
  for (const m of markersFor('', { actions: verdict.actions, expectations: [] })) byIndex.set(m.index, m);
  for (const c of clients) for (const m of markersFor(c, { actions: [], expectations: verdict.expectations })) byIndex.set(m.index, m);
  return [...byIndex.values()].sort((a, b) => a.index - b.index);
}
