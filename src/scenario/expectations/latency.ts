// latency: { p50: "<5ms", p99: "<50ms", max: "<1s" } over the window (p99 and max: the worst bucket).
// In every window p50 ≤ p99 ≤ max, and a call ends at its deadline: what cannot be is refused.
import { z } from 'zod';
import { seconds } from '../../util/time-text.js';
import { ANY, coversAll, meet, parseMatcher, type Interval, type Matcher } from '../matchers.js';
import { defineExpectation, matcherValue } from './expectation.js';
import { latencyCapMs, valueIn, type Asked, type WindowPart } from './witness.js';

const FIELD = { p50: 'p50Ms', p99: 'p99Ms', max: 'maxMs' } as const;
type Field = keyof typeof FIELD;

export type LatencyAsk = Array<[Field, Matcher]>;

const ORDER: Field[] = ['p50', 'p99', 'max'];
const text = (a: LatencyAsk) => `latency ${a.map(([k, m]) => `${k} ${m.text}`).join(', ')}`;

function passing(asks: Array<Asked<LatencyAsk>>, cap: number, deadline: string, least: number, why: string): WindowPart[] | string {
  const want = new Map<Field, Interval>(ORDER.map((f) => [f, ANY]));
  for (const { ask } of asks) for (const [f, m] of ask) want.set(f, meet(want.get(f)!, m.interval));
  // The least value each may take, in order: p50 ≤ p99 ≤ max.
  const got: Record<string, number> = {};
  let floor = Math.max(0.001, Math.min(least, cap));
  for (const f of ORDER) {
    const v = valueIn(want.get(f)!, floor, cap, floor);
    if (v === undefined) {
      if (least > 0.001 && valueIn(want.get(f)!, 0.001, cap, 0.001) !== undefined) return `${text(asks.flatMap((a) => a.ask))} cannot hold: ${why}`;
      const asked = asks.flatMap((a) => a.ask).filter(([k]) => k === f);
      const over = want.get(f)!.lo > cap;
      if (over && Number.isFinite(cap))
        return `${text(asks.flatMap((a) => a.ask))} cannot hold: a call ends at its deadline (${deadline}), so no latency reaches ${asked.map(([, m]) => m.text).join(', ')}`;
      return `${asks.map((a) => text(a.ask)).join(' and ')} cannot hold: in every window p50 ≤ p99 ≤ max`;
    }
    got[f] = floor = v;
  }
  return [{ latency: { p50Ms: got.p50, p99Ms: got.p99, maxMs: got.max } }];
}

function failing(ask: LatencyAsk, cap: number): WindowPart[] {
  const out: WindowPart[] = [];
  for (const [, m] of ask) {
    const i = m.interval;
    // Just past each end, and the extremes a call can take (1 µs, and the longest its deadline allows).
    for (const v of [i.hi + 1e-3 * Math.max(1, Math.abs(i.hi)), i.lo - 1e-3 * Math.max(1, Math.abs(i.lo)), i.hi * 2, i.lo / 2, 0.001, cap])
      if (Number.isFinite(v) && v > 0 && v <= cap) out.push({ latency: { p50Ms: v, p99Ms: v, maxMs: v } });
  }
  return out;
}

export default defineExpectation({
  key: 'latency',
  summary: 'p50, p99 or max latency over the window',
  example: 'latency: { p50: "<5ms", p99: "<50ms" }',
  schema: z.strictObject({ p50: matcherValue.optional(), p99: matcherValue.optional(), max: matcherValue.optional() }),
  parse(raw) {
    const checks: LatencyAsk = [];
    for (const [k, v] of Object.entries(raw)) {
      if (v === undefined) continue;
      const m = parseMatcher(v, 'ms');
      if (typeof m === 'string') return `latency.${k}: ${m}`;
      if (coversAll(m, 0, Infinity)) return `latency.${k}: ${m.text} holds whatever the latency is; a test that cannot fail shows nothing`;
      checks.push([k as Field, m]);
    }
    if (!checks.length) return 'latency: expected at least one of p50, p99, max, e.g. { p99: "<50ms" }';
    return {
      key: 'latency',
      text: text(checks),
      ask: checks,
      holds(w) {
        const saw = checks.map(([k]) => `${k} ${w.total[FIELD[k]].toFixed(1)} ms`).join(', ');
        return { ok: w.total.calls > 0 && checks.every(([k, m]) => m.test(w.total[FIELD[k]])), saw: w.total.calls ? saw : `${saw} (no calls)` };
      },
    };
  },
  witness(asks: Array<Asked<LatencyAsk>>, env, want) {
    const cap = latencyCapMs(env);
    return want === 'pass' ? passing(asks, cap, seconds(env.deadlineMs ?? 0), env.floor?.latencyMs ?? 0, env.floor?.why ?? '') : failing(asks[0].ask, cap);
  },
});
