// Comparisons the way people write them: 0, 25%, >25%, >=25%, <10%, 30%..40%, 33% ± 5%, <50ms, <5.
// A matcher is parsed once (errors name what was expected) and then tested against numbers.
import { parseDuration } from '../util/duration.js';

export interface Matcher {
  test(value: number): boolean;
  /** "> 25%", "0", "30%..40%": for messages. */
  text: string;
}

export type Unit = 'percent' | 'ms' | 'count' | 'number';

const NUM = String.raw`(\d+(?:\.\d+)?)`;

function toNumber(raw: string, unit: Unit): number | undefined {
  const s = raw.trim();
  if (unit === 'percent') {
    const m = new RegExp(`^${NUM}\\s*%?$`).exec(s);
    return m ? Number(m[1]) : undefined;
  }
  if (unit === 'ms') return parseDuration(/^\d+(\.\d+)?$/.test(s) ? `${s}ms` : s);
  if (unit === 'number') return /^\d+(\.\d+)?$/.test(s) ? Number(s) : undefined;
  return /^\d+$/.test(s) ? Number(s) : undefined;
}

const unitHint: Record<Unit, string> = { number: 'a number such as 1, <1.5, >=2 or 2.5..3.5', percent: 'a share such as 0, 25%, >25%, <10%, 30%..40% or 33% ± 5%', ms: 'a latency such as <50ms, <=1s or 10ms..20ms', count: 'a count such as 0, <5, >=10 or 2..8' };

/** Parses a matcher; returns an error message (what was expected) when it is not one. */
export function parseMatcher(input: string | number, unit: Unit): Matcher | string {
  const raw = String(input).trim();
  const fail = `expected ${unitHint[unit]}, found "${raw}"`;
  let m = /^(>=|<=|>|<|=|==|≥|≤)?\s*(.+)$/.exec(raw);
  const range = /^(.+?)\s*\.\.\s*(.+)$/.exec(raw);
  if (range) {
    const lo = toNumber(range[1], unit);
    const hi = toNumber(range[2], unit);
    if (lo === undefined || hi === undefined || lo > hi) return fail;
    return { text: raw, test: (v) => v >= lo && v <= hi };
  }
  const tol = /^(?:≈|~)?\s*(.+?)\s*(?:±|\+-|\+\/-)\s*(.+)$/.exec(raw);
  if (tol) {
    const mid = toNumber(tol[1], unit);
    const d = toNumber(tol[2], unit);
    if (mid === undefined || d === undefined) return fail;
    return { text: raw, test: (v) => Math.abs(v - mid) <= d };
  }
  if (!m) return fail;
  const op = m[1] ?? '=';
  const n = toNumber(m[2], unit);
  if (n === undefined) return fail;
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
  m = null;
  return { text: raw, test: test[op] };
}

/** "≈ 1:2:3 ± 5%": shares in these proportions, each within the tolerance (in points). */
export function parseRatio(input: string): { parts: number[]; tolerance: number } | undefined {
  const m = /^(?:≈|~)?\s*(\d+(?:\.\d+)?(?:\s*:\s*\d+(?:\.\d+)?)+)\s*(?:(?:±|\+-|\+\/-)\s*(\d+(?:\.\d+)?)\s*%?)?$/.exec(input.trim());
  if (!m) return undefined;
  return { parts: m[1].split(':').map((x) => Number(x.trim())), tolerance: m[2] ? Number(m[2]) : 5 };
}
