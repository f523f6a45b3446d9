// share: { echo-2: 0, echo-1: ">25%" } or "≈ 1:2:3 ± 5%" (the echo servers present at the step's
// time, in name order); `top` is the busiest backend, whichever it is ({ top: ">95%" }: everything on
// one backend), `bottom` the idlest of those the window saw. Shares are percentages (25%) or
// fractions of one (0.25). A window with no calls holds no share.
import { byBackendName } from '../../traffic/index.js';
import { z } from 'zod';
import { parseMatcher, parseRatio, type Matcher } from '../matchers.js';
import { defineExpectation, matcherValue } from './expectation.js';
import { countRange, intersect, spread, type Asked, type WindowPart, type WitnessEnv } from './witness.js';
import type { WindowStats } from './window.js';

type Test = Pick<Matcher, 'test' | 'interval' | 'text'>;

/** What a share check asks: a matcher per named backend (a ratio becomes one per echo server), and of the busiest and idlest. */
export interface ShareAsk {
  per: Array<{ name: string; m: Test }>;
  top?: Test;
  bottom?: Test;
}

const share = (w: WindowStats, name: string) => (w.total.calls ? (100 * (w.backends[name]?.calls ?? 0)) / w.total.calls : 0);
const pct = (w: WindowStats, name: string) => {
  if (name !== 'top' && name !== 'bottom') return share(w, name);
  const all = Object.keys(w.backends).map((n) => share(w, n));
  if (!all.length) return 0;
  return name === 'top' ? Math.max(...all) : Math.min(...all);
};

/** Where calls can go: the reachable backends, and (with a target the lab does not know) the names asked and any other. */
function receivers(asks: ShareAsk[], env: WitnessEnv): string[] {
  if (!env.anyBackend) return env.reachable;
  return [...new Set([...asks.flatMap((a) => a.per.map((p) => p.name)), ...env.reachable, '(other)'])];
}

type Ranges = Map<string, [number, number]>;

/** Calls per backend within each range, adding up to n (ranges are boxes: this is exact). */
function fill(ranges: Ranges, n: number): Record<string, number> | undefined {
  let least = 0;
  let most = 0;
  for (const [lo, hi] of ranges.values()) {
    least += lo;
    most += hi;
  }
  if (least > n || most < n) return undefined;
  const out: Record<string, number> = {};
  let left = n - least;
  for (const [name, [lo, hi]] of ranges) {
    const add = Math.min(left, hi - lo);
    out[name] = lo + add;
    left -= add;
  }
  return out;
}

/** With `bottom`: the idlest backend that got calls is in B, every other that got calls is at least B's floor. */
function fillWithBottom(ranges: Ranges, n: number, b: Test): Record<string, number> | undefined {
  const bRange = countRange(b, n, (c) => (100 * c) / n);
  if (!bRange) return undefined;
  const names = [...ranges.keys()];
  for (const k of names) {
    const rk = intersect(ranges.get(k), [Math.max(1, bRange[0]), bRange[1]]);
    if (!rk) continue;
    const mandatory: Ranges = new Map([[k, rk]]);
    const optional: Ranges = new Map();
    let empty = false;
    for (const name of names) {
      if (name === k) continue;
      const r = ranges.get(name)!;
      const up = intersect(r, [Math.max(1, rk[0]), n]);
      if (r[0] === 0) {
        if (up) optional.set(name, up);
      } else if (up) mandatory.set(name, up);
      else empty = true;
    }
    if (empty) continue;
    // Which optional backends get calls: every subset when few, else none or all.
    const opts = [...optional];
    const subsets = opts.length <= 10 ? 1 << opts.length : 2;
    for (let s = 0; s < subsets; s++) {
      const chosen = opts.length <= 10 ? opts.filter((_, i) => s & (1 << i)) : s ? opts : [];
      const got = fill(new Map([...mandatory, ...chosen]), n);
      if (got) return got;
    }
  }
  return undefined;
}

function solve(asks: ShareAsk[], env: WitnessEnv, n: number): Record<string, number> | string {
  const to = receivers(asks, env);
  const where = to.length ? to : ['(none)'];
  const ranges: Ranges = new Map(where.map((name) => [name, [0, n] as [number, number]]));
  const value = (c: number) => (100 * c) / n;
  for (const ask of asks)
    for (const { name, m } of ask.per) {
      const got = countRange(m, n, value);
      if (!got) return countRange(m, 1_000_000, (c) => c / 10_000) ? '' : `share ${name} ${m.text} can never hold`;
      const before = ranges.get(name) ?? ([0, 0] as [number, number]);
      const r = intersect(before, got);
      if (!r) {
        if (!ranges.has(name))
          return `${name} gets no calls from this client then (${env.unreachable?.[name] ?? 'the client does not reach it'}), and share ${name} ${m.text} needs some`;
        return '';
      }
      ranges.set(name, r);
    }
  let top: [number, number] | undefined = [0, n];
  for (const ask of asks) if (ask.top) top = intersect(top, countRange(ask.top, n, value));
  const bottoms = asks.flatMap((a) => (a.bottom ? [a.bottom] : []));
  if (!top) return 'the busiest backend cannot have the share asked';
  const candidates = asks.some((a) => a.top) ? [...ranges.keys()] : [undefined];
  for (const j of candidates) {
    const r: Ranges = new Map();
    let empty = false;
    for (const [name, range] of ranges) {
      const capped = intersect(range, [0, top[1]]);
      const withTop = name === j ? intersect(capped, top) : capped;
      if (!withTop) empty = true;
      else r.set(name, withTop);
    }
    if (empty) continue;
    const got = bottoms.length ? bottoms.map((b) => fillWithBottom(r, n, b)).find((x) => x) : fill(r, n);
    if (got) return got;
  }
  return '';
}

/** Why no traffic passes: the sums, the busiest's floor, or the steps a small window's shares come in. */
function whyNot(asks: ShareAsk[], env: WitnessEnv, n: number): string {
  const fine = solve(asks, { ...env, calls: 1_000_000 }, 1_000_000);
  if (typeof fine !== 'string')
    return `with ${n} call${n === 1 ? '' : 's'} in a window, shares come in steps of ${+(100 / n).toFixed(1)}%: ${asks.map(text).join(' and ')} cannot hold (a wider window or a higher rate gives finer shares)`;
  if (fine) return fine;
  const to = receivers(asks, env);
  const names = to.length ? to : ['(none)'];
  if (asks.some((a) => a.top) && names.length > 1)
    return `${asks.map(text).join(' and ')} cannot hold over the ${names.length} backends the client reaches then (${names.join(', ')}): the busiest has at least ${+(100 / names.length).toFixed(1)}%`;
  // The sums the asks allow, over the backends that can get calls: the shares add up to 100%.
  const bound = (pick: (i: Test['interval']) => number, fallback: number) =>
    names.reduce((sum, n) => {
      const asked = asks.flatMap((a) => a.per.filter((p) => p.name === n).map((p) => pick(p.m.interval)));
      return sum + (asked.length ? Math.max(0, Math.min(100, pick === lo ? Math.max(...asked) : Math.min(...asked))) : fallback);
    }, 0);
  const least = bound(lo, 0);
  const most = bound(hi, 100);
  const sums = least > 100 ? `at least ${+least.toFixed(1)}% in all` : most < 100 ? `at most ${+most.toFixed(1)}% in all` : 'no mix of them';
  return `${asks.map(text).join(' and ')} cannot hold: ${sums} over the backends the client reaches then (${names.join(', ')}), and the shares add up to 100%`;
}

const lo = (i: Test['interval']) => i.lo;
const hi = (i: Test['interval']) => i.hi;

const text = (a: ShareAsk) =>
  `share ${[...a.per.map((p) => `${p.name} ${p.m.text}`), ...(a.top ? [`top ${a.top.text}`] : []), ...(a.bottom ? [`bottom ${a.bottom.text}`] : [])].join(', ')}`;

function failing(ask: ShareAsk, env: WitnessEnv): WindowPart[] {
  const n = env.calls;
  const to = receivers([ask], env);
  // A call that found no backend to pick counts for none: it can lower every share.
  const all = [...to, '(none)'];
  // Everything on one; spread over all; one call on one and the rest elsewhere (the idlest as idle as it gets).
  const out: WindowPart[] = all.map((b) => ({ backends: { [b]: n } }));
  if (to.length) out.push({ backends: spread(n, to) });
  out.push({ backends: spread(n, all) });
  if (n > 1)
    for (const b of all)
      out.push({
        backends: {
          [b]: 1,
          ...spread(
            n - 1,
            all.filter((x) => x !== b),
          ),
        },
      });
  for (const { name, m } of ask.per) {
    const r = countRange(m, n, (c) => (100 * c) / n);
    if (!r || !all.includes(name)) continue;
    const others = all.filter((x) => x !== name);
    for (const c of [r[0] - 1, r[1] + 1]) if (c >= 0 && c <= n && (c === n || others.length)) out.push({ backends: { [name]: c, ...spread(n - c, others) } });
  }
  return out;
}

export default defineExpectation({
  key: 'share',
  summary: 'per backend ({ echo-2: 0, echo-1: ">25%" }, top, bottom) or a ratio over the echo servers ("≈ 1:2:3 ± 5%")',
  example: 'share: { echo-2: 0, echo-1: ">25%" }',
  schema: z.union([z.record(z.string(), matcherValue), z.string()]),
  parse(raw, env) {
    if (typeof raw === 'string') {
      const ratio = parseRatio(raw);
      if (!ratio) return `expected per-backend shares ({ echo-2: 0 }) or a ratio such as "≈ 1:2:3 ± 5%", found "${raw}"`;
      const names = [...env.ratioOver].sort(byBackendName);
      if (ratio.parts.length !== names.length)
        return `the ratio has ${ratio.parts.length} parts but the client dials ${names.length} backends then (${names.join(', ')})`;
      const sum = ratio.parts.reduce((a, b) => a + b, 0);
      if (sum <= 0) return `the ratio "${raw}" has no part above 0`;
      const want = ratio.parts.map((p) => (100 * p) / sum);
      // A tolerance that takes every share from 0 to 100% for every part cannot fail.
      if (want.every((x) => x - ratio.tolerance <= 0 && x + ratio.tolerance >= 100))
        return `"${raw}" holds whatever the shares are (± ${ratio.tolerance}% covers 0 to 100%); a test that cannot fail shows nothing`;
      const per = names.map((name, i) => ({
        name,
        m: {
          text: `${+want[i].toFixed(1)}% ± ${ratio.tolerance}%`,
          test: (v: number) => Math.abs(v - want[i]) <= ratio.tolerance,
          interval: { lo: want[i] - ratio.tolerance, hi: want[i] + ratio.tolerance, loOpen: false, hiOpen: false },
        },
      }));
      return {
        key: 'share',
        text: `share ${raw}`,
        ask: { per } satisfies ShareAsk,
        holds(w) {
          const got = names.map((n) => pct(w, n));
          return {
            ok: w.total.calls > 0 && got.every((g, i) => Math.abs(g - want[i]) <= ratio.tolerance),
            saw: names.map((n, i) => `${n} ${got[i].toFixed(1)}%`).join(', ') + (w.total.calls ? '' : ' (no calls)'),
          };
        },
      };
    }
    const checks: Array<[string, Matcher]> = [];
    for (const [name, v] of Object.entries(raw)) {
      if (!env.backends.includes(name) && name !== 'top' && name !== 'bottom')
        return `unknown backend "${name}" in share (the sandbox has ${env.backends.join(', ')}; or top, bottom)`;
      const m = parseMatcher(v, 'percent');
      if (typeof m === 'string') return `share.${name}: ${m}`;
      if (m.min > 100) return `share.${name}: ${m.text} can never hold (a share is at most 100%)`;
      if ([0, 25, 50, 75, 100].every((x) => m.test(x))) return `share.${name}: ${m.text} holds whatever the share is; a test that cannot fail shows nothing`;
      checks.push([name, m]);
    }
    const named = checks.filter(([n]) => n !== 'top' && n !== 'bottom');
    const ask: ShareAsk = {
      per: named.map(([name, m]) => ({ name, m })),
      top: checks.find(([n]) => n === 'top')?.[1],
      bottom: checks.find(([n]) => n === 'bottom')?.[1],
    };
    return {
      key: 'share',
      text: `share ${checks.map(([n, m]) => `${n} ${m.text}`).join(', ')}`,
      ask,
      holds(w) {
        const ok = w.total.calls > 0 && checks.every(([n, m]) => m.test(pct(w, n)));
        return { ok, saw: checks.map(([n]) => `${n} ${pct(w, n).toFixed(1)}%`).join(', ') + (w.total.calls ? '' : ' (no calls)') };
      },
    };
  },
  witness(asks: Array<Asked<ShareAsk>>, env, want) {
    if (want === 'fail') return failing(asks[0].ask, env);
    const got = solve(
      asks.map((a) => a.ask),
      env,
      env.calls,
    );
    if (typeof got !== 'string') return [{ backends: got }];
    return (
      got ||
      whyNot(
        asks.map((a) => a.ask),
        env,
        env.calls,
      )
    );
  },
});
