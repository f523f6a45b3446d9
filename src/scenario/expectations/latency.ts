// latency: { p50: "<5ms", p99: "<50ms", max: "<1s" } over the window (p99 and max: the worst bucket).
import { parseMatcher, type Matcher } from '../matchers.js';
import { registerExpectation } from './expectation.js';

const FIELD = { p50: 'p50Ms', p99: 'p99Ms', max: 'maxMs' } as const;

registerExpectation({
  key: 'latency',
  parse(raw) {
    if (!raw || typeof raw !== 'object') return `expected { p99: "<50ms" }, found ${JSON.stringify(raw)}`;
    const checks: Array<[keyof typeof FIELD, Matcher]> = [];
    for (const [k, v] of Object.entries(raw)) {
      if (!(k in FIELD)) return `unknown latency key "${k}" (p50, p99, max)`;
      const m = parseMatcher(v as string | number, 'ms');
      if (typeof m === 'string') return `latency.${k}: ${m}`;
      checks.push([k as keyof typeof FIELD, m]);
    }
    return {
      text: `latency ${checks.map(([k, m]) => `${k} ${m.text}`).join(', ')}`,
      holds(w) {
        return { ok: w.total.calls > 0 && checks.every(([k, m]) => m.test(w.total[FIELD[k]])), saw: checks.map(([k]) => `${k} ${w.total[FIELD[k]].toFixed(1)} ms`).join(', ') };
      },
    };
  },
});
