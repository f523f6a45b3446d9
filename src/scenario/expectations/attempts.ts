// attempts: "2.5..3.5" — attempts per call over the window (1 without retries or hedging; each
// retry or hedge adds one). Shows why a retry policy turns 67% errors into none (seed 000). Only as
// many as the client's policy allows can be asked; a client the user runs has none to count (its
// servers cannot tell a retry from a new call).
import { coversAll, parseMatcher, type Matcher } from '../matchers.js';
import { defineExpectation, matcherValue } from './expectation.js';
import { valueIn, type Asked, type WindowPart } from './witness.js';
import type { WindowStats } from './window.js';

const perCall = (w: WindowStats) => (w.total.calls ? (w.total.calls + w.total.extraAttempts) / w.total.calls : 0);

const part = (a: number, n: number): WindowPart => ({ extraAttempts: Math.round((a - 1) * n) });

export default defineExpectation({
  key: 'attempts',
  summary: 'attempts per call (retries and hedges add to 1)',
  example: 'attempts: "3 ± 0.1"',
  schema: matcherValue,
  parse(raw, env) {
    if (env.observed)
      return "attempts: a client you run is counted by the servers, which cannot tell a retry from a new call; ask it of one of the lab's own clients";
    const m = parseMatcher(raw, 'number');
    if (typeof m === 'string') return `attempts per call: ${m}`;
    if (!m.test(1) && m.interval.hi <= 1) return `attempts: ${m.text} can never hold: every call makes at least one attempt`;
    if (coversAll(m, 1, Infinity)) return `attempts: ${m.text} holds whatever the attempts are; a test that cannot fail shows nothing`;
    return {
      key: 'attempts',
      text: `attempts per call ${m.text}`,
      ask: m,
      holds: (w) => ({ ok: w.total.calls > 0 && m.test(perCall(w)), saw: `${perCall(w).toFixed(2)} attempts per call` }),
    };
  },
  witness(asks: Array<Asked<Matcher>>, env, want) {
    const n = env.calls;
    const { policy, possible } = env.attempts;
    if (want === 'fail') {
      const i = asks[0].ask.interval;
      return [1, possible, i.lo - 0.01, i.hi + 0.01].filter((a) => a >= 1 && a <= possible).map((a) => part(a, n));
    }
    const out: WindowPart[] = [];
    const mid = (i: Matcher['interval']) => (Number.isFinite(i.lo) && Number.isFinite(i.hi) ? (i.lo + i.hi) / 2 : i.lo + 0.01);
    for (const a of [
      1,
      policy,
      ...asks.map((x) => mid(x.ask.interval)),
      ...asks.map((x) => x.ask.interval.lo + 0.01),
      ...asks.map((x) => x.ask.interval.hi - 0.01),
    ]) {
      const v = asks.reduce<number | undefined>((x, y) => (x === undefined ? undefined : valueIn(y.ask.interval, 1, policy, x)), a);
      if (v !== undefined) out.push(part(v, n));
    }
    if (out.length) return out;
    const asked = asks.map((x) => `attempts per call ${x.ask.text}`).join(' and ');
    return policy === 1
      ? `${asked} cannot hold: the client has no retry or hedging policy then, so each call makes one attempt`
      : `${asked} cannot hold: the client's policy makes at most ${policy} attempts per call`;
  },
});
