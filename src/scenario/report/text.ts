// Pieces every report renderer writes the same way: XML/HTML escaping, a run's verdict in one word,
// an action's time to rebalance per client, and each client's totals over the run.
import type { Bucket } from '../expectations/index.js';
import type { ActionResult, Verdict } from '../verdict.js';

/** Text safe in XML and HTML, in elements and in quoted attributes. */
export const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const verdictWord = (v: Pick<Verdict, 'ok'> & { interrupted?: boolean }) => (v.ok ? 'PASS' : v.interrupted ? 'INTERRUPTED' : 'FAIL');

/** "rr 0.2s, pf did not settle" ('' when no client settled or not). */
export const settledText = (a: Pick<ActionResult, 'rebalanceMs'>) =>
  Object.entries(a.rebalanceMs ?? {})
    .map(([c, v]) => `${c} ${v === null ? 'did not settle' : `${(v / 1000).toFixed(1)}s`}`)
    .join(', ');

export interface ClientTotals {
  calls: number;
  /** By status code, in the order the codes first appeared. */
  errors: Map<string, number>;
  byBackend: Map<string, number>;
}

/** Per client, over every bucket of the run: calls, errors by code, calls per backend. */
export function clientTotals(buckets: Map<string, Bucket[]>): Map<string, ClientTotals> {
  const out = new Map<string, ClientTotals>();
  for (const [client, bs] of buckets) {
    const t: ClientTotals = { calls: 0, errors: new Map(), byBackend: new Map() };
    for (const b of bs) {
      t.calls += b.total.calls;
      for (const [k, v] of Object.entries(b.total.errors)) t.errors.set(k, (t.errors.get(k) ?? 0) + v);
      for (const [name, st] of Object.entries(b.backends)) t.byBackend.set(name, (t.byBackend.get(name) ?? 0) + st.calls);
    }
    out.set(client, t);
  }
  return out;
}
