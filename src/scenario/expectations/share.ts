// share: { echo-2: 0, echo-1: ">25%" } or "≈ 1:2:3 ± 5%" (backends in name order); `top` is the
// busiest backend, whichever it is ({ top: ">95%" }: everything on one backend), `bottom` the idlest
// of those the window saw.
import { parseMatcher, parseRatio, type Matcher } from '../matchers.js';
import { registerExpectation } from './expectation.js';
import type { WindowStats } from './window.js';

const share = (w: WindowStats, name: string) => (w.total.calls ? (100 * (w.backends[name]?.calls ?? 0)) / w.total.calls : 0);
const pct = (w: WindowStats, name: string) => {
  if (name !== 'top' && name !== 'bottom') return share(w, name);
  const all = Object.keys(w.backends).map((n) => share(w, n));
  if (!all.length) return 0;
  return name === 'top' ? Math.max(...all) : Math.min(...all);
};
const natural = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

registerExpectation({
  key: 'share',
  parse(raw, backends) {
    if (typeof raw === 'string') {
      const ratio = parseRatio(raw);
      if (!ratio) return `expected per-backend shares ({ echo-2: 0 }) or a ratio such as "≈ 1:2:3 ± 5%", found "${raw}"`;
      const names = [...backends].sort(natural);
      if (ratio.parts.length !== names.length) return `the ratio has ${ratio.parts.length} parts but the sandbox has ${names.length} echo servers (${names.join(', ')})`;
      const sum = ratio.parts.reduce((a, b) => a + b, 0);
      const want = ratio.parts.map((p) => (100 * p) / sum);
      return {
        text: `share ${raw}`,
        holds(w) {
          const got = names.map((n) => pct(w, n));
          return { ok: w.total.calls > 0 && got.every((g, i) => Math.abs(g - want[i]) <= ratio.tolerance), saw: names.map((n, i) => `${n} ${got[i].toFixed(1)}%`).join(', ') };
        },
      };
    }
    if (!raw || typeof raw !== 'object') return `expected per-backend shares such as { echo-2: 0 }, found ${JSON.stringify(raw)}`;
    const checks: Array<[string, Matcher]> = [];
    for (const [name, v] of Object.entries(raw)) {
      if (!backends.includes(name) && name !== 'top' && name !== 'bottom') return `unknown backend "${name}" in share (the sandbox has ${backends.join(', ')}; or top, bottom)`;
      const m = parseMatcher(v as string | number, 'percent');
      if (typeof m === 'string') return `share.${name}: ${m}`;
      checks.push([name, m]);
    }
    return {
      text: `share ${checks.map(([n, m]) => `${n} ${m.text}`).join(', ')}`,
      holds(w) {
        const ok = w.total.calls > 0 && checks.every(([n, m]) => m.test(pct(w, n)));
        return { ok, saw: checks.map(([n]) => `${n} ${pct(w, n).toFixed(1)}%`).join(', ') + (w.total.calls ? '' : ' (no calls)') };
      },
    };
  },
});
