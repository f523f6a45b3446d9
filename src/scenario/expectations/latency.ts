// latency: { p50: "<5ms", p99: "<50ms", max: "<1s" } over the window (p99 and max: the worst bucket).
import { z } from 'zod';
import { parseMatcher, type Matcher } from '../matchers.js';
import { defineExpectation, matcherValue } from './expectation.js';

const FIELD = { p50: 'p50Ms', p99: 'p99Ms', max: 'maxMs' } as const;

export default defineExpectation({
  key: 'latency',
  summary: 'p50, p99 or max latency over the window',
  example: 'latency: { p50: "<5ms", p99: "<50ms" }',
  schema: z.strictObject({ p50: matcherValue.optional(), p99: matcherValue.optional(), max: matcherValue.optional() }),
  parse(raw) {
    const checks: Array<[keyof typeof FIELD, Matcher]> = [];
    for (const [k, v] of Object.entries(raw)) {
      if (v === undefined) continue;
      const m = parseMatcher(v, 'ms');
      if (typeof m === 'string') return `latency.${k}: ${m}`;
      checks.push([k as keyof typeof FIELD, m]);
    }
    if (!checks.length) return 'latency: expected at least one of p50, p99, max, e.g. { p99: "<50ms" }';
    return {
      text: `latency ${checks.map(([k, m]) => `${k} ${m.text}`).join(', ')}`,
      holds(w) {
        return {
          ok: w.total.calls > 0 && checks.every(([k, m]) => m.test(w.total[FIELD[k]])),
          saw: checks.map(([k]) => `${k} ${w.total[FIELD[k]].toFixed(1)} ms`).join(', '),
        };
      },
    };
  },
});
