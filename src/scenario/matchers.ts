// Comparisons the way people write them: 0, 25%, >25%, >=25%, <10%, 30%..40%, 33% ± 5%, <50ms, <5.
// A matcher is parsed once (errors name what was expected) and then tested against numbers. The
// unit rules are the lab's everywhere: a latency carries its unit (50ms), a share or rate is a
// percentage with its % sign or a bare fraction of one (0.25 = 25%).
import { durationProblem, parseDuration } from '../util/duration.js';
import { fractionProblem, parseFraction } from '../util/fraction.js';

/** The values a matcher accepts, in its unit: one interval (an open end excludes its bound). */
export interface Interval {
  lo: number;
  hi: number;
  loOpen: boolean;
  hiOpen: boolean;
}

export interface Matcher {
  test(value: number): boolean;
  /** "> 25%", "0", "30%..40%": for messages. */
  text: string;
  /** The least value that can pass (in the matcher's unit: percent points, ms, a count): to refuse expectations that can never hold. */
  min: number;
  /** Every value it accepts: what the scenario's model searches for traffic that passes or fails. */
  interval: Interval;
}

const closed = (lo: number, hi: number): Interval => ({ lo, hi, loOpen: false, hiOpen: false });

/** percent: values are percent points (0..100); ms: milliseconds; count: whole numbers; number: any. */
export type Unit = 'percent' | 'ms' | 'count' | 'number';

function toNumber(raw: string, unit: Unit): number | undefined {
  const s = raw.trim();
  if (unit === 'percent') {
    const f = parseFraction(s);
    return f === undefined ? undefined : f * 100;
  }
  if (unit === 'ms') return parseDuration(s);
  if (unit === 'number') return /^\d+(\.\d+)?$/.test(s) ? Number(s) : undefined;
  return /^\d+$/.test(s) ? Number(s) : undefined;
}

const unitHint: Record<Unit, string> = {
  number: 'a number such as 1, <1.5, >=2 or 2.5..3.5',
  percent: 'a share such as 0, 25%, >25%, <10%, 30%..40% or 33% ± 5%',
  ms: 'a latency with its unit, such as <50ms, <=1s or 10ms..20ms',
  count: 'a count such as 0, <5, >=10 or 2..8',
};

/** Why a part of a matcher is not a number of its unit: the unit rules' own words where they apply. */
function partProblem(part: string, unit: Unit): string {
  if (unit === 'ms' && /^\s*\d+(\.\d+)?\s*$/.test(part)) return durationProblem(part.trim());
  if (unit === 'percent' && /^\s*\d+(\.\d+)?\s*$/.test(part)) return fractionProblem(part.trim());
  return '';
}

/** Parses a matcher; returns an error message (what was expected) when it is not one. */
export function parseMatcher(input: string | number, unit: Unit): Matcher | string {
  const raw = String(input).trim();
  const fail = (part = raw) => {
    const why = partProblem(part, unit);
    return `expected ${unitHint[unit]}, found "${raw}"${why ? ` (${why})` : ''}`;
  };
  const range = /^(.+?)\s*\.\.\s*(.+)$/.exec(raw);
  if (range) {
    const lo = toNumber(range[1], unit);
    const hi = toNumber(range[2], unit);
    if (lo === undefined) return fail(range[1]);
    if (hi === undefined || lo > hi) return fail(range[2]);
    return { text: raw, min: lo, test: (v) => v >= lo && v <= hi, interval: closed(lo, hi) };
  }
  const tol = /^(?:≈|~)?\s*(.+?)\s*(?:±|\+-|\+\/-)\s*(.+)$/.exec(raw);
  if (tol) {
    const mid = toNumber(tol[1], unit);
    const d = toNumber(tol[2], unit);
    if (mid === undefined) return fail(tol[1]);
    if (d === undefined) return fail(tol[2]);
    return { text: raw, min: Math.max(0, mid - d), test: (v) => Math.abs(v - mid) <= d, interval: closed(mid - d, mid + d) };
  }
  const m = /^(>=|<=|>|<|=|==|≥|≤)?\s*(.+)$/.exec(raw);
  if (!m) return fail();
  const op = m[1] ?? '=';
  const n = toNumber(m[2], unit);
  if (n === undefined) return fail(m[2]);
  const eps = 1e-9;
  const test: Record<string, (v: number) => boolean> = {
    '>': (v) => v > n,
    '≥': (v) => v >= n - eps,
    '>=': (v) => v >= n - eps,
    '<': (v) => v < n,
    '≤': (v) => v <= n + eps,
    '<=': (v) => v <= n + eps,
    '=': (v) => Math.abs(v - n) <= eps,
    '==': (v) => Math.abs(v - n) <= eps,
  };
  const min = op.startsWith('<') || op === '≤' ? 0 : n;
  const intervals: Record<string, Interval> = {
    '>': { lo: n, hi: Infinity, loOpen: true, hiOpen: false },
    '≥': closed(n - eps, Infinity),
    '>=': closed(n - eps, Infinity),
    '<': { lo: -Infinity, hi: n, loOpen: false, hiOpen: true },
    '≤': closed(-Infinity, n + eps),
    '<=': closed(-Infinity, n + eps),
    '=': closed(n - eps, n + eps),
    '==': closed(n - eps, n + eps),
  };
  return { text: raw, min, test: test[op], interval: intervals[op] };
}

/** "≈ 1:2:3 ± 5%": shares in these proportions, each within the tolerance (in points; a bare tolerance is a fraction: ± 0.05 = 5 points). */
export function parseRatio(input: string): { parts: number[]; tolerance: number } | undefined {
  const m = /^(?:≈|~)?\s*(\d+(?:\.\d+)?(?:\s*:\s*\d+(?:\.\d+)?)+)\s*(?:(?:±|\+-|\+\/-)\s*(\d+(?:\.\d+)?\s*%?))?$/.exec(input.trim());
  if (!m) return undefined;
  const tolerance = m[2] === undefined ? 5 : parseFraction(m[2]);
  if (tolerance === undefined) return undefined;
  return { parts: m[1].split(':').map((x) => Number(x.trim())), tolerance: m[2] === undefined ? 5 : tolerance * 100 };
}

/** The matcher accepts every value from `lo` to `hi` (a check with it over that range cannot fail). */
export function coversAll(m: Matcher, lo: number, hi: number): boolean {
  const i = m.interval;
  return (i.lo < lo || (i.lo === lo && !i.loOpen)) && (i.hi > hi || (i.hi === hi && !i.hiOpen));
}

/** The values both intervals hold (possibly none: lo > hi). */
export function meet(a: Interval, b: Interval): Interval {
  const lo = a.lo > b.lo || (a.lo === b.lo && a.loOpen) ? a : b;
  const hi = a.hi < b.hi || (a.hi === b.hi && a.hiOpen) ? a : b;
  return { lo: lo.lo, loOpen: lo.loOpen, hi: hi.hi, hiOpen: hi.hiOpen };
}

export const ANY: Interval = { lo: -Infinity, hi: Infinity, loOpen: false, hiOpen: false };
