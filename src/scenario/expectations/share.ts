// share: { echo-2: 0, echo-1: ">25%" } or "≈ 1:2:3 ± 5%" (backends in name order); `top` is the
// busiest backend, whichever it is ({ top: ">95%" }: everything on one backend), `bottom` the idlest
// of those the window saw. Shares are percentages (25%) or fractions of one (0.25).
import { byBackendName } from '../../traffic/index.js';
import { z } from 'zod';
import { parseMatcher, parseRatio, type Matcher } from '../matchers.js';
import { defineExpectation, matcherValue } from './expectation.js';
import type { WindowStats } from './window.js';

const share = (w: WindowStats, name: string) => (w.total.calls ? (100 * (w.backends[name]?.calls ?? 0)) / w.total.calls : 0);
const pct = (w: WindowStats, name: string) => {
  if (name !== 'top' && name !== 'bottom') return share(w, name);
  const all = Object.keys(w.backends).map((n) => share(w, n));
  if (!all.length) return 0;
  return name === 'top' ? Math.max(...all) : Math.min(...all);
};

export default defineExpectation({
  key: 'share',
  summary: 'per backend ({ echo-2: 0, echo-1: ">25%" }, top, bottom) or a ratio over the echo servers ("≈ 1:2:3 ± 5%")',
  example: 'share: { echo-2: 0, echo-1: ">25%" }',
  schema: z.union([z.record(z.string(), matcherValue), z.string()]),
  parse(raw, backends) {
    if (typeof raw === 'string') {
      const ratio = parseRatio(raw);
      if (!ratio) return `expected per-backend shares ({ echo-2: 0 }) or a ratio such as "≈ 1:2:3 ± 5%", found "${raw}"`;
      const names = [...backends].sort(byBackendName);
      if (ratio.parts.length !== names.length)
        return `the ratio has ${ratio.parts.length} parts but the sandbox has ${names.length} echo servers (${names.join(', ')})`;
      const sum = ratio.parts.reduce((a, b) => a + b, 0);
      if (sum <= 0) return `the ratio "${raw}" has no part above 0`;
      const want = ratio.parts.map((p) => (100 * p) / sum);
      // A tolerance that takes every share from 0 to 100% for every part cannot fail.
      if (want.every((x) => x - ratio.tolerance <= 0 && x + ratio.tolerance >= 100))
        return `"${raw}" holds whatever the shares are (± ${ratio.tolerance}% covers 0 to 100%); a test that cannot fail shows nothing`;
      return {
        text: `share ${raw}`,
        holds(w) {
          const got = names.map((n) => pct(w, n));
          return {
            ok: w.total.calls > 0 && got.every((g, i) => Math.abs(g - want[i]) <= ratio.tolerance),
            saw: names.map((n, i) => `${n} ${got[i].toFixed(1)}%`).join(', '),
          };
        },
      };
    }
    const checks: Array<[string, Matcher]> = [];
    for (const [name, v] of Object.entries(raw)) {
      if (!backends.includes(name) && name !== 'top' && name !== 'bottom')
        return `unknown backend "${name}" in share (the sandbox has ${backends.join(', ')}; or top, bottom)`;
      const m = parseMatcher(v, 'percent');
      if (typeof m === 'string') return `share.${name}: ${m}`;
      if (m.min > 100) return `share.${name}: ${m.text} can never hold (a share is at most 100%)`;
      if ([0, 25, 50, 75, 100].every((x) => m.test(x))) return `share.${name}: ${m.text} holds whatever the share is; a test that cannot fail shows nothing`;
      checks.push([name, m]);
    }
    const named = checks.filter(([n]) => n !== 'top' && n !== 'bottom');
    const least = named.reduce((a, [, m]) => a + m.min, 0);
    if (least > 100 + 1e-9)
      return `these shares can never hold together: at least ${+least.toFixed(2)}% in all (${named.map(([n, m]) => `${n} ${m.text}`).join(', ')}), and the shares add up to 100%`;
    return {
      text: `share ${checks.map(([n, m]) => `${n} ${m.text}`).join(', ')}`,
      holds(w) {
        const ok = w.total.calls > 0 && checks.every(([n, m]) => m.test(pct(w, n)));
        return { ok, saw: checks.map(([n]) => `${n} ${pct(w, n).toFixed(1)}%`).join(', ') + (w.total.calls ? '' : ' (no calls)') };
      },
    };
  },
});
