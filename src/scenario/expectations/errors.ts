// errors: { rate: "<1%" } (errors / calls), { total: 0 }, { UNAVAILABLE: "<5" } over the window.
// A window with no calls holds no error count: it saw nothing.
import { z } from 'zod';
import { coversAll, parseMatcher, type Matcher } from '../matchers.js';
import { defineExpectation, matcherValue } from './expectation.js';
import { countRange, intersect, type Asked, type WindowPart, type WitnessEnv } from './witness.js';
import type { WindowStats } from './window.js';
import { FAILURE_STATUS_NAMES } from '../../wire/index.js';

const CODES: readonly string[] = FAILURE_STATUS_NAMES;

/** What an errors check asks: of the rate (percent), the total, and per status code (counts). */
export interface ErrorsAsk {
  rate?: Matcher;
  total?: Matcher;
  codes: Array<[string, Matcher]>;
}

const matchers = (a: ErrorsAsk) => (a.rate ? 1 : 0) + (a.total ? 1 : 0) + a.codes.length;

const text = (a: ErrorsAsk) =>
  `errors ${[...(a.rate ? [`rate ${a.rate.text}`] : []), ...(a.total ? [`total ${a.total.text}`] : []), ...a.codes.map(([c, m]) => `${c} ${m.text}`)].join(', ')}`;

function passing(asks: Array<Asked<ErrorsAsk>>, env: WitnessEnv): WindowPart[] | string {
  const n = env.calls;
  const known = env.callsKnown;
  // Every call fails for sure (and no retry policy can save one): all of them are errors.
  const sure = env.floor?.failsAll && env.attempts.policy === 1;
  let failed: [number, number] | undefined = sure ? [n, n] : [0, n];
  const codes = new Map<string, [number, number] | undefined>();
  for (const { ask, scale } of asks) {
    if (ask.rate)
      failed = intersect(
        failed,
        countRange(ask.rate, n, (c) => (100 * c) / n),
      );
    if (ask.total)
      failed = intersect(
        failed,
        countRange(ask.total, n, (c) => c * scale),
      );
    for (const [code, m] of ask.codes)
      codes.set(
        code,
        intersect(
          codes.has(code) ? codes.get(code) : [0, n],
          countRange(m, n, (c) => c * scale),
        ),
      );
  }
  const why = () =>
    `${asks.map((a) => text(a.ask)).join(' and ')} cannot hold${asks.length > 1 || matchers(asks[0].ask) > 1 ? ' together' : ''}${
      sure ? `: ${env.floor!.why}` : known ? ` in a window of ${n} call${n === 1 ? '' : 's'} (the client's rate)` : ''
    }`;
  if (!failed || [...codes.values()].some((r) => !r)) return why();
  const least = [...codes.values()].reduce((a, r) => a + r![0], 0);
  const e = Math.max(failed[0], least);
  if (e > failed[1]) return why();
  const errors: Record<string, number> = Object.fromEntries([...codes].map(([c, r]) => [c, r![0]]));
  let left = e - least;
  const spare = CODES.find((c) => !codes.has(c));
  if (left && spare) {
    errors[spare] = left;
    left = 0;
  } else
    for (const [c, r] of codes) {
      const add = Math.min(left, r![1] - r![0]);
      errors[c] += add;
      left -= add;
    }
  return left ? why() : [{ errors }];
}

function failing({ ask, scale }: Asked<ErrorsAsk>, n: number): WindowPart[] {
  const spare = CODES.find((c) => !ask.codes.some(([k]) => k === c)) ?? 'UNKNOWN';
  const counts = new Set([0, 1, n, Math.floor(n / 2)]);
  for (const m of [ask.rate, ask.total].filter((x): x is Matcher => !!x)) {
    const r = countRange(m, n, m === ask.rate ? (c) => (100 * c) / n : (c) => c * scale);
    if (r) [r[0] - 1, r[1] + 1].forEach((c) => counts.add(c));
  }
  const out: WindowPart[] = [...counts].filter((c) => c >= 0 && c <= n).map((c) => ({ errors: c ? { [spare]: c } : {} }));
  for (const [code, m] of ask.codes) {
    const r = countRange(m, n, (c) => c * scale);
    for (const c of [0, n, ...(r ? [r[0] - 1, r[1] + 1] : [])]) if (c >= 0 && c <= n) out.push({ errors: c ? { [code]: c } : {} });
  }
  return out;
}

export default defineExpectation({
  key: 'errors',
  summary: 'the error rate, the total, or the count of one status code over the window',
  example: 'errors: { rate: "<1%", UNAVAILABLE: "<5" }',
  schema: z.strictObject({
    rate: matcherValue.optional(),
    total: matcherValue.optional(),
    ...Object.fromEntries(CODES.map((c) => [c, matcherValue.optional()])),
  }),
  parse(raw) {
    const checks: Array<[string, Matcher, (w: WindowStats) => number, (n: number) => string]> = [];
    const ask: ErrorsAsk = { codes: [] };
    for (const [key, v] of Object.entries(raw as Record<string, string | number | undefined>)) {
      if (v === undefined) continue;
      const isRate = key === 'rate';
      const m = parseMatcher(v, isRate ? 'percent' : 'count');
      if (typeof m === 'string') return `errors.${key}: ${m}`;
      if (isRate && m.min > 100) return `errors.${key}: ${m.text} can never hold (an error rate is at most 100%)`;
      if (coversAll(m, 0, isRate ? 100 : Infinity))
        return `errors.${key}: ${m.text} holds whatever the ${isRate ? 'rate' : 'count'} is; a test that cannot fail shows nothing`;
      const errs = (w: WindowStats) => w.total.calls - w.total.ok;
      if (isRate) {
        checks.push([key, m, (w) => (w.total.calls ? (100 * errs(w)) / w.total.calls : 0), (n) => `${n.toFixed(2)}%`]);
        ask.rate = m;
      } else if (key === 'total') {
        checks.push([key, m, errs, String]);
        ask.total = m;
      } else {
        checks.push([key, m, (w) => w.total.errors[key] ?? 0, String]);
        ask.codes.push([key, m]);
      }
    }
    if (!checks.length) return 'errors: expected at least one of rate, total or a status name, e.g. { rate: "<1%" }';
    return {
      key: 'errors',
      text: `errors ${checks.map(([k, m]) => `${k} ${m.text}`).join(', ')}`,
      ask,
      holds(w) {
        const saw = checks.map(([k, , f, fmt]) => `${k} ${fmt(f(w))}`).join(', ');
        return { ok: w.total.calls > 0 && checks.every(([, m, f]) => m.test(f(w))), saw: w.total.calls ? saw : `${saw} (no calls)` };
      },
    };
  },
  witness(asks: Array<Asked<ErrorsAsk>>, env, want) {
    return want === 'pass' ? passing(asks, env) : failing(asks[0], env.calls);
  },
});
