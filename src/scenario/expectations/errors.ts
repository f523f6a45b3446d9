// errors: { rate: "<1%" } (errors / calls), { total: 0 }, { UNAVAILABLE: "<5" } over the window.
import { status } from '@grpc/grpc-js';
import { parseMatcher, type Matcher } from '../matchers.js';
import { registerExpectation } from './expectation.js';
import type { WindowStats } from './window.js';

const CODES = Object.keys(status).filter((k) => Number.isNaN(Number(k)) && k !== 'OK');

registerExpectation({
  key: 'errors',
  parse(raw) {
    if (!raw || typeof raw !== 'object') return `expected { rate: "<1%" }, { total: 0 } or { UNAVAILABLE: "<5" }, found ${JSON.stringify(raw)}`;
    const checks: Array<[string, Matcher, (w: WindowStats) => number, (n: number) => string]> = [];
    for (const [key, v] of Object.entries(raw)) {
      const isRate = key === 'rate';
      if (!isRate && key !== 'total' && !CODES.includes(key)) return `unknown errors key "${key}" (rate, total, or a status name: ${CODES.slice(0, 5).join(', ')}, ...)`;
      const m = parseMatcher(v as string | number, isRate ? 'percent' : 'count');
      if (typeof m === 'string') return `errors.${key}: ${m}`;
      const errs = (w: WindowStats) => w.total.calls - w.total.ok;
      if (isRate) checks.push([key, m, (w) => (w.total.calls ? (100 * errs(w)) / w.total.calls : 0), (n) => `${n.toFixed(2)}%`]);
      else if (key === 'total') checks.push([key, m, errs, String]);
      else checks.push([key, m, (w) => w.total.errors[key] ?? 0, String]);
    }
    return {
      text: `errors ${checks.map(([k, m]) => `${k} ${m.text}`).join(', ')}`,
      holds(w) {
        return { ok: checks.every(([, m, f]) => m.test(f(w))), saw: checks.map(([k, , f, fmt]) => `${k} ${fmt(f(w))}`).join(', ') };
      },
    };
  },
});
