// errors: { rate: "<1%" } (errors / calls), { total: 0 }, { UNAVAILABLE: "<5" } over the window.
import { status } from '@grpc/grpc-js';
import { z } from 'zod';
import { parseMatcher, type Matcher } from '../matchers.js';
import { defineExpectation, matcherValue } from './expectation.js';
import type { WindowStats } from './window.js';

const CODES = Object.keys(status).filter((k) => Number.isNaN(Number(k)) && k !== 'OK');

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
    for (const [key, v] of Object.entries(raw as Record<string, string | number | undefined>)) {
      if (v === undefined) continue;
      const isRate = key === 'rate';
      const m = parseMatcher(v, isRate ? 'percent' : 'count');
      if (typeof m === 'string') return `errors.${key}: ${m}`;
      if (isRate && m.min > 100) return `errors.rate: ${m.text} can never hold (an error rate is at most 100%)`;
      const errs = (w: WindowStats) => w.total.calls - w.total.ok;
      if (isRate) checks.push([key, m, (w) => (w.total.calls ? (100 * errs(w)) / w.total.calls : 0), (n) => `${n.toFixed(2)}%`]);
      else if (key === 'total') checks.push([key, m, errs, String]);
      else checks.push([key, m, (w) => w.total.errors[key] ?? 0, String]);
    }
    if (!checks.length) return 'errors: expected at least one of rate, total or a status name, e.g. { rate: "<1%" }';
    return {
      text: `errors ${checks.map(([k, m]) => `${k} ${m.text}`).join(', ')}`,
      holds(w) {
        return { ok: checks.every(([, m, f]) => m.test(f(w))), saw: checks.map(([k, , f, fmt]) => `${k} ${fmt(f(w))}`).join(', ') };
      },
    };
  },
});
