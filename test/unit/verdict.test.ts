import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Bucket } from '../../src/scenario/expectations/index.js';
import type { BucketStats } from '../../src/traffic/events.js';
import { compactSeries, expectationKinds, windowAt } from '../../src/scenario/expectations/index.js';
import { parseMatcher, parseRatio } from '../../src/scenario/matchers.js';
import type { ExpectStep } from '../../src/scenario/model.js';
import { evaluate, rebalanceOf, verdictOf, type ActionResult } from '../../src/scenario/verdict.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseScenario } from '../../src/scenario/load.js';
import type { SandboxOverrides } from '../../src/scenario/model.js';
import { settledText } from '../../src/report/text.js';
import { parseTopology } from '../../src/topology/load.js';
import { ROOT } from '../helpers/lab.js';

setupLab();

const stat = (calls: number, errors = 0, p99 = 1): BucketStats => ({
  calls,
  ok: calls - errors,
  errors: errors ? { UNAVAILABLE: errors } : {},
  extraAttempts: 0,
  p50Ms: 1,
  p99Ms: p99,
  maxMs: p99,
});
type Calls = Record<string, number>;

/** 250 ms buckets from `from` to `to`; shares(t) gives calls per backend at time t. */
function series(to: number, shares: (t: number) => Record<string, number>): Bucket[] {
  const out: Bucket[] = [];
  for (let t = 250; t <= to; t += 250) {
    const s = shares(t);
    const backends = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, stat(v)]));
    out.push({ t, total: stat(Object.values(s).reduce((a, b) => a + b, 0)), backends });
  }
  return out;
}

function step(share: unknown, mode: { withinMs?: number; alwaysMs?: number }, atMs = 4000): ExpectStep {
  const check = expectationKinds()
    .find((k) => k.key === 'share')!
    .parse(share, { backends: ['echo-1', 'echo-2', 'echo-3'], ratioOver: ['echo-1', 'echo-2', 'echo-3'], observed: false });
  if (typeof check === 'string') throw new Error(check);
  return { kind: 'expect', index: 0, line: 1, atMs, client: 'rr', checks: [check], settleMs: 1000, windowMs: 1000, text: 'x', ...mode };
}

// echo-2 is killed at 4 s; traffic leaves it 500 ms later.
const killed = series(12_000, (t): Calls => (t <= 4500 ? { 'echo-1': 100, 'echo-2': 100, 'echo-3': 100 } : { 'echo-1': 150, 'echo-3': 150 }));

describe('matchers', () => {
  it('read shares, bounds, ranges and tolerances', () => {
    const m = (s: string) => {
      const r = parseMatcher(s, 'percent');
      if (typeof r === 'string') throw new Error(r);
      return r;
    };
    assert.equal(m('0').test(0), true);
    assert.equal(m('0').test(0.1), false);
    assert.equal(m('>25%').test(25), false);
    assert.equal(m('>=25%').test(25), true);
    assert.equal(m('30%..40%').test(35), true);
    assert.equal(m('33% ± 5%').test(37.9), true);
    assert.equal(m('33% ± 5%').test(38.1), false);
    assert.equal(parseMatcher('lots', 'percent'), 'expected a share such as 0, 25%, >25%, <10%, 30%..40% or 33% ± 5%, found "lots"');
    const lat = parseMatcher('<50ms', 'ms');
    assert.ok(typeof lat !== 'string' && lat.test(49) && !lat.test(50));
    assert.deepEqual(parseRatio('≈ 1:2:3 ± 5%'), { parts: [1, 2, 3], tolerance: 5 });
  });
});

describe('verdict', () => {
  it('within: holds once the windows are past the change, and reports when it began to hold', () => {
    const r = evaluate(step({ 'echo-2': 0 }, { withinMs: 3000 }), killed, 12_000);
    assert.equal(r.ok, true);
    assert.equal(r.timeToHoldMs, 500);
  });

  it('within: fails with what was seen when the deadline is too short', () => {
    const r = evaluate(step({ 'echo-2': 0 }, { withinMs: 1000 }), killed, 12_000);
    assert.equal(r.ok, false);
    assert.equal(r.failedAtMs, 5000);
    assert.match(r.saw, /^by 5\.0s it did not hold: echo-2 \d+\.\d%$/);
  });

  it('within: a share that holds for a moment and breaks inside the settle time does not pass', () => {
    const flappy = series(12_000, (t): Calls => (t > 4500 && t <= 5500 ? { 'echo-1': 150, 'echo-3': 150 } : { 'echo-1': 100, 'echo-2': 100, 'echo-3': 100 }));
    const r = evaluate(step({ 'echo-2': 0 }, { withinMs: 6000 }), flappy, 12_000);
    assert.equal(r.ok, false);
  });

  it('always: catches the first window that breaks, and passes when none does', () => {
    const bad = evaluate(step('≈ 1:1:1 ± 5%', { alwaysMs: Infinity }, 1000), killed, 12_000);
    assert.equal(bad.ok, false);
    assert.equal(bad.failedAtMs, 4750);
    const good = evaluate(step({ 'echo-2': 0 }, { alwaysMs: 3000 }, 6000), killed, 12_000);
    assert.equal(good.ok, true);
  });
});

describe('time to rebalance after an action', () => {
  /** Buckets whose per-backend calls and failing calls the test decides. */
  function run(to: number, at: (t: number) => { calls: Calls; failing: number }): Bucket[] {
    const out: Bucket[] = [];
    for (let t = 250; t <= to; t += 250) {
      const { calls, failing } = at(t);
      const total = Object.values(calls).reduce((a, b) => a + b, 0);
      out.push({ t, total: stat(total, failing), backends: Object.fromEntries(Object.entries(calls).map(([k, v]) => [k, stat(v)])) });
    }
    return out;
  }
  const even = { 'echo-1': 100, 'echo-2': 100, 'echo-3': 100 };
  const without2 = { 'echo-1': 150, 'echo-3': 150 };

  it('a kill: shares move at once and the errors stop at once', () => {
    const b = run(12_000, (t) => (t <= 4000 ? { calls: even, failing: 0 } : { calls: without2, failing: t <= 4250 ? 3 : 0 }));
    assert.deepEqual(rebalanceOf(b, 4000, 12_000), { state: 'settled', ms: 250 });
  });

  it('a freeze: shares look settled at once, but traffic has moved only when calls stop failing', () => {
    // Calls to the frozen backend stall and fail for 4 s (until its lease expires), a few a window.
    const b = run(14_000, (t) =>
      t <= 4000 ? { calls: even, failing: 0 } : { calls: t <= 8000 ? { 'echo-1': 149, 'echo-2': 2, 'echo-3': 149 } : without2, failing: t <= 8000 ? 2 : 0 },
    );
    assert.deepEqual(rebalanceOf(b, 4000, 14_000), { state: 'settled', ms: 4000 });
  });

  it('never settles when the shares keep swinging', () => {
    // Swinging every 1.5 s: slower than the 1 s window, so the windows see it.
    const b = run(12_000, (t) => ({ calls: Math.floor(t / 1500) % 2 ? even : without2, failing: 0 }));
    assert.deepEqual(rebalanceOf(b, 4000, 12_000), { state: 'unsettled' });
  });

  it('a client whose shares did not move is unchanged, not "settled in 0.0s"', () => {
    // A DNS client that never saw a new backend: the same shares before and after the step.
    const b = run(12_000, () => ({ calls: even, failing: 0 }));
    assert.deepEqual(rebalanceOf(b, 4000, 12_000), { state: 'unchanged' });
  });

  it('a client that was disturbed and came back to its shares settled (it moved, then recovered)', () => {
    const b = run(12_000, (t) => ({ calls: even, failing: t > 4000 && t <= 6000 ? 5 : 0 }));
    assert.deepEqual(rebalanceOf(b, 4000, 12_000), { state: 'settled', ms: 2000 });
  });

  it('a run cut short before the shares settled: not judged, never "did not settle"', () => {
    const b = run(6_000, (t) => (t <= 4000 ? { calls: even, failing: 0 } : { calls: without2, failing: 3 }));
    assert.deepEqual(rebalanceOf(b, 4000, 6_000, true), { state: 'not-judged' });
    assert.deepEqual(rebalanceOf(b, 4000, 6_000, false), { state: 'unsettled' });
  });
});

describe('compacting a long series', () => {
  const stats = (calls: number, p99: number, errors: Record<string, number> = {}) => ({
    calls,
    ok: calls - Object.values(errors).reduce((a, b) => a + b, 0),
    errors,
    extraAttempts: 0,
    p50Ms: 1,
    p99Ms: p99,
    maxMs: p99,
  });
  const series = () =>
    Array.from({ length: 40 }, (_, i) => {
      const t = (i + 1) * 250;
      return {
        t,
        total: stats(10 + i, i, i % 5 === 0 ? { UNAVAILABLE: 1 } : {}),
        backends: { 'echo-1': stats(4 + i, i), 'echo-2': stats(6, 1, i % 5 === 0 ? { UNAVAILABLE: 1 } : {}) },
      };
    });

  it('merges whole seconds up to the cutoff, exactly, and leaves the rest as it was', () => {
    const s = series();
    const next = compactSeries(s, 0, 6000);
    assert.equal(next, 6, 'six whole seconds merged');
    assert.deepEqual(
      s.slice(0, 6).map((b) => b.t),
      [1000, 2000, 3000, 4000, 5000, 6000],
    );
    assert.equal(s.length, 6 + 16);
    const sum = (xs: typeof s, f: (b: (typeof s)[number]) => number) => xs.reduce((n, b) => n + f(b), 0);
    const whole = series();
    assert.equal(
      sum(s, (b) => b.total.calls),
      sum(whole, (b) => b.total.calls),
    );
    assert.equal(
      sum(s, (b) => b.backends['echo-2'].errors.UNAVAILABLE ?? 0),
      sum(whole, (b) => b.backends['echo-2'].errors.UNAVAILABLE ?? 0),
    );
    // A one-second window over merged buckets sees what it saw before.
    for (const end of [2000, 5000]) {
      const a = windowAt(whole, end, 1000);
      const b = windowAt(s, end, 1000);
      assert.deepEqual(
        [b.total.calls, b.total.ok, b.total.p99Ms, b.backends['echo-1'].calls],
        [a.total.calls, a.total.ok, a.total.p99Ms, a.backends['echo-1'].calls],
      );
    }
    // Again from where it stopped: nothing more until the cutoff moves.
    assert.equal(compactSeries(s, next, 6000), next);
    assert.equal(compactSeries(s, next, 8000), 8);
  });
});

describe('fair share of the backends an action brings in (the scale-up question)', () => {
  const compose = readFileSync(path.join(ROOT, 'compose/lab.yaml'), 'utf8');
  const topologyFor = (sb: SandboxOverrides) => parseTopology('compose/lab.yaml', compose, sb);
  const scenario = parseScenario(
    'scale.yaml',
    `name: scale
duration: 12s
clients:
  etcd: { target: "etcd:///echo", lb: round_robin, concurrency: 4 }
  dns: { target: "dns://{consul-dns}/echo.service.consul:50051", lb: round_robin, concurrency: 4 }
  fixed: { target: "ipv4:{echo-1},{echo-2}", lb: round_robin, concurrency: 4 }
steps:
  - { at: 4s, scale: { echo: 4 } }
`,
    topologyFor,
  );
  const three = { 'echo-1': 100, 'echo-2': 100, 'echo-3': 100 };
  const four = { 'echo-1': 75, 'echo-2': 75, 'echo-3': 75, 'echo-4': 75 };
  const action = (): ActionResult => ({ index: 0, line: 8, text: 'scale', atMs: 4000, ranAtMs: 4000 });

  it('names the new backend and the time it took a fair share, per client that can reach it; never, with the most it had, for one that did not', () => {
    const buckets = new Map([
      // The etcd client sees echo-4 at once, and it has its share 1.5 s later.
      ['etcd', series(12_000, (t) => (t <= 5500 ? three : four))],
      // The DNS client never re-resolves: echo-4 gets nothing.
      ['dns', series(12_000, () => three)],
      // A static list of echo-1 and echo-2 cannot reach echo-4: nothing to say.
      ['fixed', series(12_000, () => ({ 'echo-1': 150, 'echo-2': 150 }))],
    ]);
    const v = verdictOf(scenario, buckets, [action()], 12_000, false);
    assert.deepEqual(v.actions[0].joined, {
      etcd: [{ backend: 'echo-4', state: 'fair', ms: 1000, pct: 12.5 }], // half its share of the first window after 5.5 s is past half of 25%
      dns: [{ backend: 'echo-4', state: 'never', pct: 12.5, best: 0 }],
    });
    assert.match(settledText(v.actions[0]), /etcd settled in 1\.5s \(echo-4 fair after 1\.0s\)/);
    assert.match(settledText(v.actions[0]), /dns unchanged \(echo-4 never fair \(at most 0\.0%, fair is 12.5%\)\)/);
  });

  it('a trickle is not a fair share; a run cut short before it came is not judged', () => {
    const trickle = new Map([['etcd', series(12_000, (t) => (t <= 4000 ? three : { ...three, 'echo-4': 30 }))]]); // 9%: under half of 25%
    const v = verdictOf(scenario, trickle, [action()], 12_000, false);
    assert.deepEqual(v.actions[0].joined?.etcd, [{ backend: 'echo-4', state: 'never', pct: 12.5, best: (100 * 30) / 330 }]);
    const cut = verdictOf(scenario, new Map([['etcd', series(6_000, () => three)]]), [action()], 6_000, true);
    assert.deepEqual(cut.actions[0].joined?.etcd, [{ backend: 'echo-4', state: 'not-judged', pct: 12.5 }]);
  });
});

describe('time to rebalance: a client that moves late', () => {
  const stat2 = (calls: number): BucketStats => ({ calls, ok: calls, errors: {}, extraAttempts: 0, p50Ms: 1, p99Ms: 1, maxMs: 1 });
  const run = (to: number, at: (t: number) => Record<string, number>): Bucket[] => {
    const out: Bucket[] = [];
    for (let t = 250; t <= to; t += 250) {
      const calls = at(t);
      const total = Object.values(calls).reduce((a, b) => a + b, 0);
      out.push({ t, total: stat2(total), backends: Object.fromEntries(Object.entries(calls).map(([k, v]) => [k, stat2(v)])) });
    }
    return out;
  };
  it('still for 25 s, then a new backend takes its share: settled after the move, not "unchanged"', () => {
    const b = run(36_000, (t): Record<string, number> =>
      t <= 29_500 ? { 'echo-1': 100, 'echo-2': 100, 'echo-3': 100 } : { 'echo-1': 75, 'echo-2': 75, 'echo-3': 75, 'echo-4': 75 },
    );
    assert.deepEqual(rebalanceOf(b, 4000, 36_000), { state: 'settled', ms: 25_500 });
  });
  it('noise within 10 points is not a move: settled when the shares first held', () => {
    // Moved at 5 s to 60/40, then a blip of 8 points at 12 s.
    const b = run(20_000, (t) =>
      t <= 5000 ? { 'echo-1': 100, 'echo-2': 100 } : t > 12_000 && t <= 13_000 ? { 'echo-1': 104, 'echo-2': 96 } : { 'echo-1': 120, 'echo-2': 80 },
    );
    assert.deepEqual(rebalanceOf(b, 4000, 20_000), { state: 'settled', ms: 500 });
  });
});

describe('time to rebalance (property): never "unchanged", never settled before it, when the shares move', () => {
  it('a client whose shares move by more than 10 points at any moment after the action', () => {
    const stat3 = (calls: number): BucketStats => ({ calls, ok: calls, errors: {}, extraAttempts: 0, p50Ms: 1, p99Ms: 1, maxMs: 1 });
    fc.assert(
      fc.property(
        fc.integer({ min: 4000, max: 30_000 }).map((t) => Math.round(t / 250) * 250), // when it moves
        fc.integer({ min: 11, max: 45 }), // by how many points (echo-1's share up, echo-2's down)
        fc.integer({ min: 100, max: 400 }), // calls per bucket
        (moveAt, points, calls) => {
          const buckets: Bucket[] = [];
          for (let t = 250; t <= 36_000; t += 250) {
            const a = t <= moveAt ? 50 : 50 + points;
            const c1 = Math.round((calls * a) / 100);
            buckets.push({ t, total: stat3(calls), backends: { 'echo-1': stat3(c1), 'echo-2': stat3(calls - c1) } });
          }
          const r = rebalanceOf(buckets, 3000, 36_000);
          if (r.state === 'unchanged') return false;
          if (r.state === 'settled' && 3000 + r.ms + 1000 < moveAt) return false; // it settled before the move came
          return true;
        },
      ),
      { seed: Number(process.env.FC_SEED ?? 1), numRuns: 200 },
    );
  });
});
