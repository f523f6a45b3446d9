// attempts: "2.5..3.5" — attempts per call over the window (1 without retries or hedging; each
// retry or hedge adds one). Shows why a retry policy turns 67% errors into none (seed 000).
import { parseMatcher } from '../matchers.js';
import { defineExpectation, matcherValue } from './expectation.js';
import type { WindowStats } from './window.js';

const perCall = (w: WindowStats) => (w.total.calls ? (w.total.calls + w.total.extraAttempts) / w.total.calls : 0);

export default defineExpectation({
  key: 'attempts',
  summary: 'attempts per call (retries and hedges add to 1)',
  example: 'attempts: "3 ± 0.1"',
  schema: matcherValue,
  parse(raw) {
    const m = parseMatcher(raw, 'number');
    if (typeof m === 'string') return `attempts per call: ${m}`;
    return {
      text: `attempts per call ${m.text}`,
      holds: (w) => ({ ok: m.test(perCall(w)), saw: `${perCall(w).toFixed(2)} attempts per call` }),
    };
  },
});
