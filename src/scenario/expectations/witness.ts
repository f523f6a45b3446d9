// What the scenario's model asks of each expectation kind: traffic in one window where checks hold
// (or where one fails). A kind proposes parts of a window (calls per backend, failed calls by code,
// latencies, extra attempts); the model builds the window and lets the checks themselves decide,
// so a proposal can never make a verdict the real check would not.
import type { Interval, Matcher } from '../matchers.js';
import type { WindowStats } from './window.js';

/** What is known of a window the checks are judged on. */
export interface WitnessEnv {
  /** Calls in one window of the expectation (a check on a window `scale` times as wide sees that many more). */
  calls: number;
  /** The client's rate fixes `calls` (an open loop); otherwise it is one guess of many. */
  callsKnown: boolean;
  /** Backends that can get calls in that window: dialled by the client's target and up at some moment of it. Empty with `anyBackend`. */
  reachable: string[];
  /** The client may reach servers outside the sandbox (a target the lab does not know): any name may get calls. */
  anyBackend: boolean;
  /** Why a backend of the sandbox gets no calls then (not in the target, down for the whole window), for messages. */
  unreachable?: Record<string, string>;
  /** Attempts per call: the most its retry or hedging policy makes (1 without one), and the most that can happen at all (grpc-js's transparent retries add to a call without a policy). */
  attempts: { policy: number; possible: number };
  /** Each call's deadline (undefined: not known, a client the user runs). */
  deadlineMs?: number;
  /** What every call is sure to meet then, from the faults the scenario set on every backend it can reach. */
  floor?: { failsAll: boolean; latencyMs: number; why: string };
}

/** A proposal for part of a window; what is not proposed is neutral (calls spread evenly, none failing, 1 ms, no extra attempts). */
export interface WindowPart {
  backends?: Record<string, number>;
  /** Failed calls by status name. */
  errors?: Record<string, number>;
  latency?: { p50Ms: number; p99Ms: number; maxMs: number };
  extraAttempts?: number;
}

/** The longest a call can be seen to take: its deadline, and half as long again for a busy machine's timers. */
export const latencyCapMs = (env: WitnessEnv) => (env.deadlineMs === undefined ? Infinity : 1.5 * env.deadlineMs + 100);

/** An ask of one check, and how many of the env's windows its own window spans. */
export interface Asked<A> {
  ask: A;
  scale: number;
}

/**
 * The whole numbers c in [0, n] whose value the matcher accepts, as one range (a matcher accepts an
 * interval and `value` grows with c), or undefined when there is none.
 */
export function countRange(m: Pick<Matcher, 'test' | 'interval'>, n: number, value: (c: number) => number): [number, number] | undefined {
  const per = value(1) - value(0);
  const inv = (v: number) => (per > 0 ? (v - value(0)) / per : 0);
  const clamp = (c: number) => Math.min(n, Math.max(0, c));
  const ok = (c: number) => c >= 0 && c <= n && m.test(value(c));
  const i = m.interval;
  const lo0 = clamp(Number.isFinite(i.lo) ? Math.ceil(inv(i.lo) - 1e-9) : 0);
  const hi0 = clamp(Number.isFinite(i.hi) ? Math.floor(inv(i.hi) + 1e-9) : n);
  // The interval's arithmetic is a guess at the edges (open ends, the matchers' epsilon): the test decides.
  const lo = first(Math.max(0, lo0 - 2), Math.max(hi0, Math.min(n, lo0 + 2)), 1, ok);
  if (lo === undefined) return undefined;
  const hi = first(Math.min(n, hi0 + 2), lo, -1, ok) ?? lo;
  return [lo, hi];
}

/** The first c from `from` to `to` (inclusive, by `step`) that is ok. */
function first(from: number, to: number, step: 1 | -1, ok: (c: number) => boolean): number | undefined {
  for (let c = from; step > 0 ? c <= to : c >= to; c += step) if (ok(c)) return c;
  return undefined;
}

/** Intersects ranges (undefined: empty). */
export function intersect(a: [number, number] | undefined, b: [number, number] | undefined): [number, number] | undefined {
  if (!a || !b) return undefined;
  const r: [number, number] = [Math.max(a[0], b[0]), Math.min(a[1], b[1])];
  return r[0] <= r[1] ? r : undefined;
}

/** A value the interval holds, near `prefer` (for real-valued asks: latency, attempts). */
export function valueIn(i: Interval, lo: number, hi: number, prefer: number): number | undefined {
  const a = Math.max(lo, i.lo);
  const b = Math.min(hi, i.hi);
  if (a > b) return undefined;
  if (a === b) return (a === i.lo && i.loOpen) || (b === i.hi && i.hiOpen) ? undefined : a;
  // A hair inside an end, open or closed: a value on the very edge may fall out of it in floating point.
  const step = Math.min(1e-6 * Math.max(1, Math.abs(prefer)), (b - a) / 2);
  const v = Math.min(b, Math.max(a, prefer));
  return v === a ? a + step : v === b ? b - step : v;
}

/** Calls spread as evenly as they go over `names`. */
export function spread(calls: number, names: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  names.forEach((n, i) => (out[n] = Math.floor(calls / names.length) + (i < calls % names.length ? 1 : 0)));
  return out;
}

const stats = (calls: number, failed: number, latency: WindowPart['latency'], extra: number, errors: Record<string, number>) => ({
  calls,
  ok: calls - failed,
  errors,
  extraAttempts: extra,
  p50Ms: calls ? latency!.p50Ms : 0,
  p99Ms: calls ? latency!.p99Ms : 0,
  maxMs: calls ? latency!.maxMs : 0,
});

/** The window the parts make, `scale` env windows wide (counts scale; shares, rates and latencies do not). */
export function windowOf(parts: WindowPart[], env: WitnessEnv, scale: number, end = 0): WindowStats {
  const merged: WindowPart = Object.assign({}, ...parts);
  const names = env.reachable.length ? env.reachable : ['(any)'];
  const backends = merged.backends ?? spread(env.calls, names);
  const errors = merged.errors ?? {};
  const failed = Object.values(errors).reduce((a, b) => a + b, 0);
  const latency = merged.latency ?? { p50Ms: 1, p99Ms: 1, maxMs: 1 };
  const w: WindowStats = {
    end,
    total: stats(env.calls * scale, failed * scale, latency, (merged.extraAttempts ?? 0) * scale, scaleAll(errors, scale)),
    backends: {},
  };
  const calls = Object.values(backends).reduce((a, b) => a + b, 0);
  for (const [name, c] of Object.entries(backends)) {
    if (c <= 0) continue;
    // The failures fall on the backends in proportion: no check reads where they fell.
    const f = calls ? Math.min(c, Math.round((failed * c) / calls)) : 0;
    w.backends[name] = stats(c * scale, f * scale, latency, 0, {});
  }
  return w;
}

const scaleAll = (r: Record<string, number>, k: number) => Object.fromEntries(Object.entries(r).map(([a, b]) => [a, b * k]));
